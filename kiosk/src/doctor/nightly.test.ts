import { describe, expect, it } from 'vitest';
import { msUntilHour } from './nightly.ts';

describe('msUntilHour', () => {
  it('later today, or the same hour tomorrow once passed', () => {
    const at = (h: number, m = 0) => new Date(2025, 5, 1, h, m, 0, 0);
    expect(msUntilHour(at(1, 30), 3)).toBe(90 * 60_000);
    expect(msUntilHour(at(3, 0), 3)).toBe(24 * 3_600_000);
    expect(msUntilHour(at(23, 0), 3)).toBe(4 * 3_600_000);
  });
  it('refuses an hour that is not 0-23', () => {
    expect(() => msUntilHour(new Date(), 24)).toThrow(/0-23/);
    expect(() => msUntilHour(new Date(), 2.5)).toThrow(/0-23/);
  });
});
