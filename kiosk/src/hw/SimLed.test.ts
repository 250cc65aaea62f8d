import { describe, expect, it } from 'vitest';
import { SimLed } from './SimLed.ts';

describe('SimLed', () => {
  it('records mode changes with their time, skipping repeats', () => {
    let t = 0;
    const led = new SimLed({ now: () => t });
    expect(led.mode).toBe('off');
    t = 10;
    led.set('blink-slow');
    t = 20;
    led.set('blink-slow');
    t = 30;
    led.set('on');
    expect(led.mode).toBe('on');
    expect(led.history).toEqual([
      { mode: 'blink-slow', atMs: 10 },
      { mode: 'on', atMs: 30 },
    ]);
  });

  it('bounds its history', () => {
    const led = new SimLed({ historyLimit: 3, now: () => 0 });
    for (const m of ['on', 'off', 'blink-fast', 'blink-slow', 'on'] as const) led.set(m);
    expect(led.history.map((h) => h.mode)).toEqual(['blink-fast', 'blink-slow', 'on']);
  });

  it('close turns it off once and ignores later sets', async () => {
    const led = new SimLed({ now: () => 0 });
    led.set('blink-fast');
    await led.close();
    await led.close();
    led.set('on');
    expect(led.mode).toBe('off');
    expect(led.closed).toBe(true);
    expect(led.history.map((h) => h.mode)).toEqual(['blink-fast', 'off']);
  });
});
