import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GpioLed } from './GpioLed.ts';
import { FakeGpioLine } from './testing/FakeGpioLine.ts';

async function makeLed(activeLow = false) {
  const { backend, lines } = FakeGpioLine.backend();
  const led = await GpioLed.create({ gpio: 22, activeLow, backend });
  return { led, line: lines[0] as FakeGpioLine };
}

/** Counts level changes in what was written. */
function toggles(writes: number[]): number {
  let n = 0;
  for (let i = 1; i < writes.length; i++) if (writes[i] !== writes[i - 1]) n++;
  return n;
}

describe('GpioLed', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('opens the BCM line as an output that starts dark', async () => {
    const { line } = await makeLed();
    expect(line.request).toEqual({ offset: 22, direction: 'low', consumer: 'helppoint-led' });
    const inverted = await makeLed(true);
    expect(inverted.line.request.direction).toBe('high');
  });

  it('on and off drive the line (inverted when active-low)', async () => {
    const { led, line } = await makeLed();
    led.set('on');
    expect(line.value).toBe(1);
    led.set('off');
    expect(line.value).toBe(0);
    expect(led.mode).toBe('off');
    const inv = await makeLed(true);
    inv.led.set('on');
    expect(inv.line.value).toBe(0);
  });

  it('blink-slow is 1 Hz and blink-fast 4 Hz', async () => {
    const { led, line } = await makeLed();
    led.set('blink-slow');
    expect(line.value).toBe(1);
    line.writes = [1];
    vi.advanceTimersByTime(2000);
    // 1 Hz: two full on/off cycles = 4 level changes in 2 s.
    expect(toggles(line.writes)).toBe(4);

    led.set('blink-fast');
    line.writes = [line.value];
    vi.advanceTimersByTime(2000);
    expect(toggles(line.writes)).toBe(16);
  });

  it('setting the same mode again keeps the blink rhythm', async () => {
    const { led, line } = await makeLed();
    led.set('blink-slow');
    vi.advanceTimersByTime(400);
    led.set('blink-slow');
    vi.advanceTimersByTime(100);
    // Had the timer restarted, the LED would still be lit at 500 ms.
    expect(line.value).toBe(0);
  });

  it('switching from blink to on stops the blinking', async () => {
    const { led, line } = await makeLed();
    led.set('blink-fast');
    vi.advanceTimersByTime(300);
    led.set('on');
    const before = line.writes.length;
    vi.advanceTimersByTime(2000);
    expect(line.writes.length).toBe(before);
    expect(line.value).toBe(1);
  });

  it('close turns the LED off, stops the timer, unexports once', async () => {
    const { led, line } = await makeLed();
    led.set('blink-slow');
    await led.close();
    await led.close();
    expect(line.value).toBe(0);
    const writes = line.writes.length;
    vi.advanceTimersByTime(3000);
    led.set('on');
    expect(line.writes.length).toBe(writes);
    expect(line.unexported).toBe(1);
    expect(led.mode).toBe('off');
  });

  it('a failing write does not stop the blink', async () => {
    const { led, line } = await makeLed();
    let failNext = true;
    const write = line.writeSync.bind(line);
    line.writeSync = (v) => {
      if (failNext) {
        failNext = false;
        throw new Error('EIO');
      }
      write(v);
    };
    expect(() => led.set('blink-fast')).not.toThrow();
    vi.advanceTimersByTime(500);
    expect(line.writes.length).toBeGreaterThanOrEqual(3);
  });
});

describe('GpioLed on a line that blinks by itself', () => {
  it('hands the blink to the line once, instead of toggling it from a timer', async () => {
    const { backend, lines } = FakeGpioLine.backend();
    const calls: Array<[number, number]> = [];
    const realOpen = backend.open.bind(backend);
    const led = await GpioLed.create({
      gpio: 27,
      backend: {
        ...backend,
        open: async (req) => {
          const line = await realOpen(req);
          line.blink = (ms, first) => calls.push([ms, first]);
          return line;
        },
      },
    });
    const line = lines[0] as FakeGpioLine;
    led.set('blink-fast');
    expect(calls).toEqual([[125, 1]]);
    expect(line.writes).toEqual([]);
    led.set('on');
    expect(line.writes).toEqual([1]);
  });
});
