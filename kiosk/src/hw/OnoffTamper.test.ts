import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OnoffTamper } from './OnoffTamper.ts';
import { FakeGpioLine } from './testing/FakeGpioLine.ts';

describe('OnoffTamper', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  async function make(initial: 0 | 1) {
    const { factory, lines } = FakeGpioLine.factory(initial);
    const tamper = await OnoffTamper.create({ gpio: 22, gpioBase: 512, gpioFactory: factory, settleMs: 300 });
    const changes: boolean[] = [];
    tamper.on('change', (open) => changes.push(open));
    return { tamper, line: lines[0] as FakeGpioLine, changes };
  }

  it('reports the door opening and closing once the level has settled, ignoring rattle', async () => {
    const { tamper, line, changes } = await make(0);
    expect(line.request).toMatchObject({ gpio: 534, direction: 'in', edge: 'both' });
    expect(tamper.open).toBe(false);
    line.drive(1);
    vi.advanceTimersByTime(100);
    line.drive(0); // rattle: back shut before it settled
    vi.advanceTimersByTime(400);
    expect(changes).toEqual([]);
    line.drive(1);
    vi.advanceTimersByTime(300);
    expect(changes).toEqual([true]);
    expect(tamper.open).toBe(true);
    line.drive(0);
    vi.advanceTimersByTime(300);
    expect(changes).toEqual([true, false]);
    await tamper.close();
    expect(line.unexported).toBe(1);
  });

  it('a cut wire (line pulled high) reads as open at start-up', async () => {
    const { tamper } = await make(1);
    expect(tamper.open).toBe(true);
  });

  it('watch errors are logged, not thrown, and change nothing', async () => {
    const { tamper, line, changes } = await make(0);
    line.fail(new Error('EIO'));
    vi.advanceTimersByTime(1000);
    expect(changes).toEqual([]);
    expect(tamper.open).toBe(false);
  });
});
