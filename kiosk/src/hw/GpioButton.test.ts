import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GpioButton } from './GpioButton.ts';
import { FakeGpioLine } from './testing/FakeGpioLine.ts';

async function makeButton(opts: { activeLow?: boolean; initial?: 0 | 1; stuckMs?: number } = {}) {
  const { backend, lines } = FakeGpioLine.backend(opts.initial ?? (opts.activeLow === false ? 0 : 1));
  const button = await GpioButton.create({
    gpio: 17,
    activeLow: opts.activeLow,
    backend,
    now: () => Date.now(),
    ...(opts.stuckMs ? { stuckMs: opts.stuckMs } : {}),
  });
  const line = lines[0] as FakeGpioLine;
  const events: string[] = [];
  button.on('press', () => events.push('press'));
  button.on('long-press', () => events.push('long-press'));
  button.on('fault', (f) => events.push(f === null ? 'fault-cleared' : 'fault'));
  return { button, line, events };
}

describe('GpioButton', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 50_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('asks for the BCM line as an input on both edges, with the pull-up and debounce the wiring needs', async () => {
    const { line } = await makeButton();
    expect(line.request).toMatchObject({ offset: 17, direction: 'in', edge: 'both', bias: 'pull-up', debounceMs: 10 });
    expect(line.watchers).toHaveLength(1);
    const high = await makeButton({ activeLow: false });
    expect(high.line.request.bias).toBe('pull-down');
  });

  it('active-low: pulling the line to 0 and releasing is a press', async () => {
    const { line, events } = await makeButton();
    line.drive(0);
    vi.advanceTimersByTime(150);
    expect(events).toEqual([]);
    line.drive(1);
    expect(events).toEqual(['press']);
  });

  it('active-high wiring is honoured when configured', async () => {
    const { line, events } = await makeButton({ activeLow: false });
    line.drive(1);
    vi.advanceTimersByTime(100);
    line.drive(0);
    expect(events).toEqual(['press']);
  });

  it('holding for two seconds emits long-press before the release, and no press after', async () => {
    const { line, events } = await makeButton();
    line.drive(0);
    vi.advanceTimersByTime(2000);
    expect(events).toEqual(['long-press']);
    line.drive(1);
    expect(events).toEqual(['long-press']);
  });

  it('bounce within the debounce window does not double-press', async () => {
    const { line, events } = await makeButton();
    line.drive(0);
    vi.advanceTimersByTime(3);
    line.drive(1);
    vi.advanceTimersByTime(3);
    line.drive(0);
    vi.advanceTimersByTime(100);
    line.drive(1);
    vi.advanceTimersByTime(5);
    line.drive(0);
    vi.advanceTimersByTime(5);
    line.drive(1);
    expect(events).toEqual(['press']);
  });

  it('a button held at start-up and let go soon is one press, at the release, then it works normally', async () => {
    const { button, line, events } = await makeButton({ initial: 0 });
    expect(button.readNow()).toBe(true);
    expect(events).toEqual([]);
    // Still held: reading again must not start it over, nor the hold turn into a cancel.
    expect(button.readNow()).toBe(true);
    vi.advanceTimersByTime(3000);
    expect(events).toEqual([]);
    line.drive(1);
    expect(events).toEqual(['press']);
    expect(button.fault).toBeNull();
    vi.advanceTimersByTime(100);
    line.drive(0);
    vi.advanceTimersByTime(100);
    line.drive(1);
    expect(events).toEqual(['press', 'press']);
  });

  it('a line that reads pressed at start-up for longer than a press can last is a wiring fault, never a call', async () => {
    const { button, line, events } = await makeButton({ initial: 0, stuckMs: 10_000 });
    button.readNow();
    vi.advanceTimersByTime(9_999);
    expect(events).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(events).toEqual(['fault']);
    expect(button.fault).toMatch(/BCM 17.*since start-up.*short to ground, missing pull-up/);
    // Released at last (repaired): the fault clears and still no press is rung.
    vi.advanceTimersByTime(60_000);
    line.drive(1);
    expect(events).toEqual(['fault', 'fault-cleared']);
    expect(button.fault).toBeNull();
    vi.advanceTimersByTime(100);
    line.drive(0);
    vi.advanceTimersByTime(100);
    line.drive(1);
    expect(events).toEqual(['fault', 'fault-cleared', 'press']);
  });

  it('a line that gets stuck while running is a cancel gesture first, then a fault', async () => {
    const { button, line, events } = await makeButton({ stuckMs: 10_000 });
    line.drive(0);
    vi.advanceTimersByTime(10_000);
    expect(events).toEqual(['long-press', 'fault']);
    expect(button.fault).toMatch(/held pressed for over 10 s/);
    line.drive(1);
    expect(events).toEqual(['long-press', 'fault', 'fault-cleared']);
  });

  it('readNow with the button up emits nothing', async () => {
    const { button, events } = await makeButton({ initial: 1 });
    expect(button.readNow()).toBe(false);
    vi.advanceTimersByTime(20_000);
    expect(events).toEqual([]);
  });

  it('a watch error is logged and does not count as an edge', async () => {
    const { line, events } = await makeButton();
    line.fail(new Error('EIO'));
    vi.advanceTimersByTime(100);
    line.drive(0);
    vi.advanceTimersByTime(100);
    line.drive(1);
    expect(events).toEqual(['press']);
  });

  it('close releases the line once, emits closed once and ignores later edges', async () => {
    const { button, line, events } = await makeButton();
    const closed = vi.fn();
    button.on('closed', closed);
    line.drive(0);
    await button.close();
    await button.close();
    expect(line.unwatched).toBe(1);
    expect(line.unexported).toBe(1);
    expect(closed).toHaveBeenCalledTimes(1);
    // The pending long-press and stuck timers were cancelled.
    vi.advanceTimersByTime(20_000);
    expect(events).toEqual([]);
  });

  it('wraps a failure to open the GPIO with the pin and the backend', async () => {
    await expect(
      GpioButton.create({
        gpio: 17,
        backend: {
          kind: 'fake',
          description: 'fake chip',
          open: () => Promise.reject(new Error('EACCES')),
        },
      }),
    ).rejects.toThrow(/button on BCM 17 \(fake chip\)/);
  });
});
