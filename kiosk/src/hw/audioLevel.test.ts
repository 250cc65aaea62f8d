import { describe, expect, it } from 'vitest';
import { DBFS_FLOOR, meanSquareToDbfs, rmsDbfs, sumOfSquares } from './audioLevel.ts';
import { sine } from './testing/signals.ts';

describe('audioLevel', () => {
  it('a full-scale sine reads about -3 dBFS', () => {
    const s = sine({ samples: 48000, frequencyHz: 1000, sampleRate: 48000, amplitude: 1 });
    expect(rmsDbfs(s)).toBeCloseTo(-3.01, 1);
  });

  it('halving the amplitude takes 6 dB off', () => {
    const s = sine({ samples: 48000, frequencyHz: 440, sampleRate: 48000, amplitude: 0.5 });
    expect(rmsDbfs(s)).toBeCloseTo(-9.03, 1);
  });

  it('a full-scale square wave is 0 dBFS', () => {
    const s = new Int16Array(480).map((_, i) => (i % 2 ? -32768 : 32767));
    expect(rmsDbfs(s)).toBeCloseTo(0, 2);
  });

  it('silence and empty input sit at the floor, never -Infinity', () => {
    expect(rmsDbfs(new Int16Array(480))).toBe(DBFS_FLOOR);
    expect(rmsDbfs(new Int16Array(0))).toBe(DBFS_FLOOR);
    expect(meanSquareToDbfs(0)).toBe(DBFS_FLOOR);
    expect(Number.isFinite(rmsDbfs(new Int16Array(10)))).toBe(true);
  });

  it('one LSB of noise is about -90 dBFS, above the floor', () => {
    const s = new Int16Array(480).map((_, i) => (i % 2 ? 1 : -1));
    expect(rmsDbfs(s)).toBeCloseTo(-90.3, 1);
  });

  it('sumOfSquares does not overflow on full-scale input', () => {
    const s = new Int16Array(48000).fill(-32768);
    expect(sumOfSquares(s)).toBe(48000 * 32768 * 32768);
  });
});
