import { describe, expect, it } from 'vitest';
import { ToneMicrophone } from './ToneMicrophone.ts';
import type { IntervalTimers } from './ToneMicrophone.ts';
import { rmsDbfs } from './audioLevel.ts';
import { concatInt16, zeroCrossings } from './testing/signals.ts';

/** A clock and an interval the test drives by hand. */
function manualTime() {
  let now = 0;
  let tick: (() => void) | null = null;
  const timers: IntervalTimers = {
    setInterval: (fn) => {
      tick = fn;
      return 1;
    },
    clearInterval: () => {
      tick = null;
    },
  };
  return {
    timers,
    now: () => now,
    /** Moves the clock and fires one (late, irregular) tick. */
    advance(ms: number) {
      now += ms;
      tick?.();
    },
    get armed() {
      return tick !== null;
    },
  };
}

describe('ToneMicrophone', () => {
  it('emits as many frames as elapsed time calls for, however irregular the ticks', async () => {
    const time = manualTime();
    const mic = new ToneMicrophone({ now: time.now, timers: time.timers });
    const frames: Int16Array[] = [];
    await mic.start((f) => frames.push(f));
    const steps = [3, 17, 9, 10, 31, 4, 26];
    let elapsed = 0;
    while (elapsed < 1000) {
      const step = steps[frames.length % steps.length] as number;
      time.advance(Math.min(step, 1000 - elapsed));
      elapsed += Math.min(step, 1000 - elapsed);
    }
    expect(frames.length).toBe(100);
    expect(mic.framesDelivered).toBe(100);
    expect(frames.every((f) => f.length === 480)).toBe(true);
  });

  it('caps the catch-up burst after a stall and skips the rest', async () => {
    const time = manualTime();
    const mic = new ToneMicrophone({ now: time.now, timers: time.timers, maxBurstFrames: 5 });
    let n = 0;
    await mic.start(() => n++);
    time.advance(1000);
    expect(n).toBe(5);
    expect(mic.framesSkipped).toBe(95);
    // Back in step afterwards: one more frame per 10 ms.
    time.advance(10);
    expect(n).toBe(6);
  });

  it('produces a continuous tone of the configured frequency and amplitude', async () => {
    const time = manualTime();
    const mic = new ToneMicrophone({ now: time.now, timers: time.timers, frequencyHz: 440, amplitude: 0.5 });
    const frames: Int16Array[] = [];
    await mic.start((f) => frames.push(f));
    for (let i = 0; i < 100; i++) time.advance(10);
    const second = concatInt16(frames);
    expect(second.length).toBe(48000);
    // 440 Hz = 880 sign changes per second; a phase jump at a frame edge would add some.
    expect(Math.abs(zeroCrossings(second) - 880)).toBeLessThanOrEqual(2);
    expect(rmsDbfs(second)).toBeCloseTo(-9.03, 0);
    expect(Math.max(...second)).toBeLessThanOrEqual(16384);
  });

  it('meters what it delivers: level of the tone, and when the last frame went out', async () => {
    const time = manualTime();
    let wall = 1_000_000;
    const mic = new ToneMicrophone({ now: time.now, timers: time.timers, amplitude: 0.5, meter: { now: () => wall } });
    expect(mic.level).toMatchObject({ framesWritten: 0, lastWriteAtMs: null, recentRmsDbfs: -100 });
    await mic.start(() => {});
    for (let i = 0; i < 50; i++) {
      wall += 10;
      time.advance(10);
    }
    expect(mic.level.framesWritten).toBe(mic.framesDelivered);
    expect(mic.level.recentRmsDbfs).toBeCloseTo(-9.03, 0);
    expect(mic.level.lastWriteAtMs).toBe(wall);
    await mic.stop();
    wall += 2000;
    // Silent after the meter's window: no stale level passes for a live one.
    expect(mic.level.recentRmsDbfs).toBe(-100);
  });

  it('stop clears the timer and no frame follows', async () => {
    const time = manualTime();
    const mic = new ToneMicrophone({ now: time.now, timers: time.timers });
    let n = 0;
    await mic.start(() => n++);
    time.advance(50);
    await mic.stop();
    await mic.stop();
    expect(time.armed).toBe(false);
    time.advance(500);
    expect(n).toBe(5);
  });

  it('keeps real time with real timers: ~100 frames of 480 samples per second', async () => {
    // A generous burst cap: this test is about pacing, and parallel test
    // workers can stall the event loop for tens of ms.
    const mic = new ToneMicrophone({ frequencyHz: 1000, maxBurstFrames: 30 });
    const frames: Int16Array[] = [];
    const t0 = performance.now();
    await mic.start((f) => frames.push(f));
    await new Promise((r) => setTimeout(r, 1000));
    await mic.stop();
    const elapsed = performance.now() - t0;
    const expected = elapsed / 10;
    expect(frames.length).toBeGreaterThanOrEqual(Math.floor(expected) - 4);
    expect(frames.length).toBeLessThanOrEqual(Math.ceil(expected) + 1);
    expect(new Set(frames.map((f) => f.length))).toEqual(new Set([480]));
    const all = concatInt16(frames);
    const seconds = all.length / 48000;
    expect(zeroCrossings(all) / seconds).toBeGreaterThan(1990);
    expect(zeroCrossings(all) / seconds).toBeLessThan(2010);
  });

  it('refuses a second start', async () => {
    const time = manualTime();
    const mic = new ToneMicrophone({ now: time.now, timers: time.timers });
    await mic.start(() => {});
    await expect(mic.start(() => {})).rejects.toThrow(/already started/);
  });
});
