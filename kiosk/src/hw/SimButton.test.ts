import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SimButton } from './SimButton.ts';

describe('SimButton', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function make() {
    const button = new SimButton({ now: () => Date.now() });
    const events: string[] = [];
    button.on('press', () => events.push('press'));
    button.on('long-press', () => events.push('long-press'));
    return { button, events };
  }

  it('press() and longPress() emit their gestures directly', () => {
    const { button, events } = make();
    button.press();
    button.longPress();
    button.press();
    expect(events).toEqual(['press', 'long-press', 'press']);
  });

  it('down()/up() go through the gesture logic', () => {
    const { button, events } = make();
    button.down();
    vi.advanceTimersByTime(100);
    button.up();
    vi.advanceTimersByTime(100);
    button.down();
    expect(button.readNow()).toBe(true);
    vi.advanceTimersByTime(2000);
    expect(events).toEqual(['press', 'long-press']);
    button.up();
    expect(events).toEqual(['press', 'long-press']);
  });

  it('debounces raw edges like the real button', () => {
    const { button, events } = make();
    button.down();
    vi.advanceTimersByTime(5);
    expect(button.up()).toBe(false);
    vi.advanceTimersByTime(3);
    expect(button.down()).toBe(false);
    vi.advanceTimersByTime(100);
    expect(events).toEqual([]);
    expect(button.up()).toBe(true);
    expect(events).toEqual(['press']);
  });

  it('after close nothing is emitted and close is idempotent', async () => {
    const { button, events } = make();
    const closed = vi.fn();
    button.on('closed', closed);
    button.down();
    await button.close();
    await button.close();
    vi.advanceTimersByTime(5000);
    button.press();
    expect(button.down()).toBe(false);
    expect(events).toEqual([]);
    expect(closed).toHaveBeenCalledTimes(1);
  });
});
