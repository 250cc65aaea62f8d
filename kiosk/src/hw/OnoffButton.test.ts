import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OnoffButton } from './OnoffButton.ts';
import { FakeGpioLine } from './testing/FakeGpioLine.ts';

async function makeButton(opts: { activeLow?: boolean; initial?: 0 | 1 } = {}) {
  const { factory, lines } = FakeGpioLine.factory(opts.initial ?? (opts.activeLow === false ? 0 : 1));
  const button = await OnoffButton.create({
    gpio: 17,
    gpioBase: 512,
    activeLow: opts.activeLow,
    gpioFactory: factory,
    now: () => Date.now(),
  });
  const line = lines[0] as FakeGpioLine;
  const events: string[] = [];
  button.on('press', () => events.push('press'));
  button.on('long-press', () => events.push('long-press'));
  return { button, line, events };
}

describe('OnoffButton', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 50_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('opens base + BCM number as an input watching both edges', async () => {
    const { line } = await makeButton();
    expect(line.request).toMatchObject({ gpio: 529, direction: 'in', edge: 'both' });
    expect(line.watchers).toHaveLength(1);
  });

  it('detects the base from sysfs when none is configured', async () => {
    vi.useRealTimers();
    const root = await mkdtemp(join(tmpdir(), 'gpio-'));
    try {
      await mkdir(join(root, 'gpiochip571'));
      await writeFile(join(root, 'gpiochip571', 'label'), 'pinctrl-rp1\n');
      await writeFile(join(root, 'gpiochip571', 'base'), '571\n');
      const { factory, lines } = FakeGpioLine.factory(1);
      const button = await OnoffButton.create({ gpio: 27, sysfsRoot: root, gpioFactory: factory });
      expect(lines[0]?.request.gpio).toBe(598);
      expect(button.sysfsGpio).toBe(598);
      await button.close();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
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

  it('readNow reports a button held at start-up as one press, then stays quiet', async () => {
    const { button, line, events } = await makeButton({ initial: 0 });
    expect(button.readNow()).toBe(true);
    expect(events).toEqual(['press']);
    // Still held: reading again must not repeat it, nor the hold turn into a cancel.
    expect(button.readNow()).toBe(true);
    vi.advanceTimersByTime(5000);
    line.drive(1);
    expect(events).toEqual(['press']);
    // The next real press works normally.
    vi.advanceTimersByTime(100);
    line.drive(0);
    vi.advanceTimersByTime(100);
    line.drive(1);
    expect(events).toEqual(['press', 'press']);
  });

  it('readNow with the button up emits nothing', async () => {
    const { button, events } = await makeButton({ initial: 1 });
    expect(button.readNow()).toBe(false);
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
    // The pending long-press timer was cancelled.
    vi.advanceTimersByTime(5000);
    expect(events).toEqual([]);
  });

  it('wraps a failure to open the GPIO with the numbers involved', async () => {
    await expect(
      OnoffButton.create({
        gpio: 17,
        gpioBase: 512,
        gpioFactory: () => {
          throw new Error('EACCES');
        },
      }),
    ).rejects.toThrow(/GPIO 529 \(BCM 17, base 512\)/);
  });
});
