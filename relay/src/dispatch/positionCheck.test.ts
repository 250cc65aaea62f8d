import { describe, expect, it } from 'vitest';
import { AppError } from '@helppoint/shared';
import { checkPosition } from './positionCheck.ts';

const limits = { positionMinIntervalMs: 2_000, maxSpeedKmh: 120 };
const code = (fn: () => void): string | null => {
  try {
    fn();
    return null;
  } catch (error) {
    return error instanceof AppError ? error.code : 'not an AppError';
  }
};

describe('checkPosition', () => {
  const here = { latitude: 39.939, longitude: 116.389 };
  it('accepts a plausible first fix and a walking step', () => {
    expect(code(() => checkPosition(here, null, 0, limits))).toBeNull();
    expect(code(() => checkPosition({ latitude: 39.9391, longitude: 116.389 }, { ...here, at: 0 }, 5_000, limits))).toBeNull();
  });
  it('refuses impossible coordinates with bad_coordinates', () => {
    for (const p of [{ latitude: 91, longitude: 116 }, { latitude: 39, longitude: -181 }, { latitude: Number.NaN, longitude: 116 }, { latitude: 0, longitude: 0 }, { ...here, accuracyM: -1 }]) {
      expect(code(() => checkPosition(p, null, 0, limits))).toBe('bad_coordinates');
    }
  });
  it('refuses reports faster than the bounded rate, and jumps no one on foot could make', () => {
    expect(code(() => checkPosition(here, { ...here, at: 0 }, 500, limits))).toBe('position_too_frequent');
    // 1.1 km in 5 s
    expect(code(() => checkPosition({ latitude: 39.949, longitude: 116.389 }, { ...here, at: 0 }, 5_000, limits))).toBe('bad_coordinates');
  });
});
