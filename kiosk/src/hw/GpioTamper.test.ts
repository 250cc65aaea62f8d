import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GpioTamper, tamperCondition } from './GpioTamper.ts';
import { FakeGpioLine } from './testing/FakeGpioLine.ts';

describe('GpioTamper, NC contact only', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  async function make(initial: 0 | 1) {
    const { backend, lines } = FakeGpioLine.backend(initial);
    const tamper = await GpioTamper.create({ gpio: 22, backend, settleMs: 300 });
    const changes: boolean[] = [];
    tamper.on('change', (open) => changes.push(open));
    return { tamper, line: lines[0] as FakeGpioLine, changes };
  }

  it('reports the door opening and closing once the level has settled, ignoring rattle', async () => {
    const { tamper, line, changes } = await make(0);
    expect(line.request).toMatchObject({ offset: 22, direction: 'in', edge: 'both', bias: 'pull-up' });
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
    expect(tamper.condition).toBe('open');
  });

  it('watch errors are logged, not thrown, and change nothing', async () => {
    const { tamper, line, changes } = await make(0);
    line.fail(new Error('EIO'));
    vi.advanceTimersByTime(1000);
    expect(changes).toEqual([]);
    expect(tamper.open).toBe(false);
  });
});

describe('GpioTamper, changeover switch on two inputs (fail-safe loop)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  /** NC on BCM 22, NO on BCM 23, both pulled up, common at ground. */
  async function make(nc: 0 | 1, no: 0 | 1) {
    const { backend, lines } = FakeGpioLine.backend((offset) => (offset === 22 ? nc : no));
    const tamper = await GpioTamper.create({ gpio: 22, gpioNo: 23, backend, settleMs: 300 });
    const changes: boolean[] = [];
    tamper.on('change', (open) => changes.push(open));
    const [ncLine, noLine] = lines as [FakeGpioLine, FakeGpioLine];
    return { tamper, ncLine, noLine, changes };
  }

  it('the truth table: only NC=0, NO=1 is a shut door', () => {
    expect(tamperCondition(0, 1)).toBe('closed');
    expect(tamperCondition(1, 0)).toBe('open');
    expect(tamperCondition(1, 1)).toBe('cut');
    expect(tamperCondition(0, 0)).toBe('short');
    expect(tamperCondition(0, null)).toBe('closed');
    expect(tamperCondition(1, null)).toBe('open');
  });

  it('both contacts are inputs with pull-ups', async () => {
    const { ncLine, noLine } = await make(0, 1);
    expect(ncLine.request).toMatchObject({ offset: 22, direction: 'in', bias: 'pull-up' });
    expect(noLine.request).toMatchObject({ offset: 23, direction: 'in', bias: 'pull-up' });
  });

  it('a shut door is quiet; opening it raises the alarm, shutting it clears it', async () => {
    const { tamper, ncLine, noLine, changes } = await make(0, 1);
    expect(tamper.open).toBe(false);
    // The changeover contact moves: NC opens, NO closes, a few ms apart.
    ncLine.drive(1);
    vi.advanceTimersByTime(5);
    noLine.drive(0);
    vi.advanceTimersByTime(300);
    expect(tamper.condition).toBe('open');
    expect(changes).toEqual([true]);
    noLine.drive(1);
    ncLine.drive(0);
    vi.advanceTimersByTime(300);
    expect(changes).toEqual([true, false]);
  });

  it('a wire shorted to ground (NO low while NC low) alarms, though the door never opened', async () => {
    const { tamper, noLine, changes } = await make(0, 1);
    noLine.drive(0);
    vi.advanceTimersByTime(300);
    expect(tamper.condition).toBe('short');
    expect(tamper.open).toBe(true);
    expect(changes).toEqual([true]);
  });

  it('a cut common reads cut at start-up: alarm', async () => {
    const { tamper } = await make(1, 1);
    expect(tamper.condition).toBe('cut');
    expect(tamper.open).toBe(true);
  });

  it('a cut NO wire is hidden while shut, but opening the door then still alarms', async () => {
    const { tamper, ncLine, noLine, changes } = await make(0, 1);
    noLine.drive(1); // cut: pull-up keeps it at 1, no change
    vi.advanceTimersByTime(300);
    expect(tamper.open).toBe(false);
    ncLine.drive(1);
    vi.advanceTimersByTime(300);
    expect(tamper.condition).toBe('cut');
    expect(changes).toEqual([true]);
  });

  it('NC shorted to ground is hidden while shut, but opening the door then reads short: alarm', async () => {
    const { tamper, noLine, changes } = await make(0, 1);
    noLine.drive(0); // the door opens: NO closes to ground; NC is held at 0 by the short
    vi.advanceTimersByTime(300);
    expect(tamper.condition).toBe('short');
    expect(changes).toEqual([true]);
  });

  it('open -> cut is one standing alarm, not a second one', async () => {
    const { tamper, ncLine, noLine, changes } = await make(1, 0);
    expect(tamper.open).toBe(true);
    noLine.drive(1);
    vi.advanceTimersByTime(300);
    expect(tamper.condition).toBe('cut');
    expect(changes).toEqual([]);
    noLine.drive(0);
    ncLine.drive(0);
    vi.advanceTimersByTime(300);
    expect(tamper.condition).toBe('short');
    expect(changes).toEqual([]);
    noLine.drive(1);
    vi.advanceTimersByTime(300);
    expect(changes).toEqual([false]);
  });

  it('releases both lines on close, and close twice is harmless', async () => {
    const { tamper, ncLine, noLine } = await make(0, 1);
    await tamper.close();
    await tamper.close();
    expect([ncLine.unexported, noLine.unexported]).toEqual([1, 1]);
  });
});
