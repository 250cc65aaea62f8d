import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ButtonGestures } from './ButtonGestures.ts';
import type { Gesture, GestureTimers } from './ButtonGestures.ts';

// Time is vitest's fake clock: Date.now() and setTimeout advance together.
function setup(opts: { longPressMs?: number; debounceMs?: number; timers?: GestureTimers } = {}) {
  const gestures: Array<[Gesture, number]> = [];
  const g = new ButtonGestures({
    ...opts,
    now: () => Date.now(),
    onGesture: (gesture, atMs) => gestures.push([gesture, atMs]),
  });
  const down = () => g.down(Date.now());
  const up = () => g.up(Date.now());
  const wait = (ms: number) => vi.advanceTimersByTime(ms);
  return { g, gestures, down, up, wait };
}

describe('ButtonGestures', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a short press emits press on release, with the release time', () => {
    const { gestures, down, up, wait } = setup();
    expect(down()).toBe(true);
    wait(300);
    expect(gestures).toEqual([]);
    expect(up()).toBe(true);
    expect(gestures).toEqual([['press', 1_000_300]]);
  });

  it('a press just under the threshold is still a press', () => {
    const { gestures, down, up, wait } = setup();
    down();
    wait(1999);
    up();
    expect(gestures.map(([k]) => k)).toEqual(['press']);
  });

  it('long-press fires at the threshold while the button is still held', () => {
    const { g, gestures, down, wait } = setup();
    down();
    wait(1999);
    expect(gestures).toEqual([]);
    wait(1);
    expect(gestures).toEqual([['long-press', 1_002_000]]);
    expect(g.isDown).toBe(true);
    wait(10_000);
    expect(gestures).toHaveLength(1);
  });

  it('releasing after a long-press emits nothing more', () => {
    const { gestures, down, up, wait } = setup();
    down();
    wait(2500);
    expect(up()).toBe(true);
    wait(5000);
    expect(gestures.map(([k]) => k)).toEqual(['long-press']);
  });

  it('contact bounce on press within the debounce window is ignored', () => {
    const { gestures, down, up, wait } = setup();
    expect(down()).toBe(true);
    wait(5);
    expect(up()).toBe(false);
    wait(5);
    expect(down()).toBe(false);
    wait(10);
    expect(up()).toBe(false);
    wait(3);
    expect(down()).toBe(false);
    // The line settled down: still one press in progress, nothing emitted.
    wait(200);
    expect(gestures).toEqual([]);
    expect(up()).toBe(true);
    expect(gestures.map(([k]) => k)).toEqual(['press']);
  });

  it('a tap shorter than the debounce window is still a press, not a phantom long-press', () => {
    const { g, gestures, down, up, wait } = setup();
    down();
    wait(20);
    // Inside the window: ignored for now...
    expect(up()).toBe(false);
    // ...but the line stays up, so at the end of the window the release counts.
    wait(10);
    expect(gestures).toEqual([['press', 1_000_020]]);
    expect(g.isDown).toBe(false);
    wait(5000);
    expect(gestures).toHaveLength(1);
  });

  it('a press that starts inside the window counts from its own edge time', () => {
    const { gestures, down, up, wait } = setup();
    down();
    wait(100);
    up();
    wait(10);
    // Pressed again 10 ms after release: too soon to accept now...
    expect(down()).toBe(false);
    wait(20);
    // ...but the line stayed down, so it is a new press from 1_000_110.
    expect(gestures.map(([k]) => k)).toEqual(['press']);
    wait(2000 - 21);
    expect(gestures.map(([k]) => k)).toEqual(['press']);
    wait(1);
    expect(gestures).toEqual([
      ['press', 1_000_100],
      ['long-press', 1_002_110],
    ]);
  });

  it('contact bounce on release does not start a second press', () => {
    const { gestures, down, up, wait } = setup();
    down();
    wait(200);
    up();
    wait(10);
    expect(down()).toBe(false);
    wait(10);
    expect(up()).toBe(false);
    wait(3000);
    expect(gestures.map(([k]) => k)).toEqual(['press']);
  });

  it('an edge exactly debounceMs after the previous one counts', () => {
    const { gestures, down, up, wait } = setup({ debounceMs: 30 });
    down();
    wait(30);
    expect(up()).toBe(true);
    expect(gestures.map(([k]) => k)).toEqual(['press']);
  });

  it('two presses separated by more than the debounce are two presses', () => {
    const { gestures, down, up, wait } = setup();
    down();
    wait(100);
    up();
    wait(100);
    down();
    wait(100);
    up();
    expect(gestures.map(([k]) => k)).toEqual(['press', 'press']);
  });

  it('repeated down (missed edge) and up without down are ignored', () => {
    const { gestures, down, up, wait } = setup();
    expect(up()).toBe(false);
    down();
    wait(100);
    expect(down()).toBe(false);
    wait(100);
    up();
    expect(gestures.map(([k]) => k)).toEqual(['press']);
  });

  it('a release timestamped past the threshold is a long-press even if the timer has not run', () => {
    // Timers that never fire: a busy event loop.
    const timers: GestureTimers = { setTimeout: () => 1, clearTimeout: () => {} };
    const gestures: Gesture[] = [];
    const g = new ButtonGestures({ timers, onGesture: (k) => gestures.push(k) });
    g.down(0);
    g.up(2000);
    expect(gestures).toEqual(['long-press']);
  });

  it('honours custom thresholds', () => {
    const { gestures, down, up, wait } = setup({ longPressMs: 500, debounceMs: 5 });
    down();
    wait(6);
    up();
    wait(6);
    down();
    wait(500);
    expect(gestures.map(([k]) => k)).toEqual(['press', 'long-press']);
  });

  it('markHeld swallows the rest of a hold found at start-up', () => {
    const { g, gestures, up, wait } = setup();
    g.markHeld(Date.now());
    wait(5000);
    expect(up()).toBe(true);
    expect(gestures).toEqual([]);
    expect(g.isDown).toBe(false);
  });

  it('dispose cancels a pending long-press', () => {
    const { g, gestures, down, wait } = setup();
    down();
    g.dispose();
    wait(5000);
    expect(gestures).toEqual([]);
  });
});
