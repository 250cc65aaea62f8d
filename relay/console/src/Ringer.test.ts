import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { REST_AFTER_MS, Ringer } from './Ringer.ts';

/** Just enough of WebAudio to count the tones the ringer schedules and when they start. */
class FakeAudioContext {
  state = 'running';
  currentTime = 0;
  readonly destination = {};
  readonly starts: number[] = [];
  addEventListener(): void {}
  resume(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  createGain() {
    const node = { gain: { value: 1, setValueAtTime() {}, linearRampToValueAtTime() {}, setTargetAtTime() {} }, connect: (n: unknown) => n, disconnect() {} };
    return node;
  }
  createOscillator() {
    return { type: '', frequency: { value: 0 }, connect: (n: unknown) => n, start: (at: number) => this.starts.push(at), stop() {} };
  }
}

describe('Ringer', () => {
  let ctx: FakeAudioContext;
  beforeEach(() => {
    vi.useFakeTimers();
    vi.stubGlobal(
      'AudioContext',
      vi.fn(function (this: unknown) {
        ctx = new FakeAudioContext();
        return ctx;
      }),
    );
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('sounds the first ring in the task that starts it and schedules the rest of the look-ahead once the call media is set up', () => {
    const ringer = new Ringer();
    ringer.unlock();
    ringer.setMode('loud');
    expect(ringer.sounding).toBe(true);
    // One burst of four tones now, starting at once: the card drawn in the same task does not wait for 20 s of tones.
    expect(ctx.starts).toHaveLength(4);
    expect(Math.min(...ctx.starts)).toBeLessThan(0.1);
    // Nothing more while the relay's offer is being built into consumers (the page's busiest moment).
    vi.advanceTimersByTime(REST_AFTER_MS - 1);
    expect(ctx.starts).toHaveLength(4);
    vi.advanceTimersByTime(1);
    // Then the rest without a gap: tones up to the 20 s look-ahead, every burst 1.8 s after the one before.
    const bursts = [...new Set(ctx.starts.filter((_, i) => i % 4 === 0))];
    expect(bursts.at(-1)).toBeGreaterThan(18);
    for (let i = 1; i < bursts.length; i++) expect(bursts[i]! - bursts[i - 1]!).toBeCloseTo(1.8, 5);
  });

  it('schedules nothing more once the ring stops before the rest was filled in', () => {
    const ringer = new Ringer();
    ringer.unlock();
    ringer.setMode('urgent');
    ringer.setMode('off');
    const scheduled = ctx.starts.length;
    vi.advanceTimersByTime(10_000);
    expect(ctx.starts).toHaveLength(scheduled);
    expect(ringer.sounding).toBe(false);
  });
});
