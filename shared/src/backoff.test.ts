import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.ts';

describe('backoffDelay', () => {
  it('grows exponentially and is capped', () => {
    const hi = (n: number) => backoffDelay(n, { baseMs: 500, maxMs: 30_000, random: () => 1 });
    expect([0, 1, 2, 3].map(hi)).toEqual([500, 1000, 2000, 4000]);
    expect(hi(20)).toBe(30_000);
    expect(hi(10_000)).toBe(30_000);
  });
  it('jitters within the upper half of the window so retries spread out but never hit zero', () => {
    expect(backoffDelay(3, { baseMs: 500, maxMs: 30_000, random: () => 0 })).toBe(2000);
    const seen = new Set(Array.from({ length: 50 }, () => backoffDelay(4, { baseMs: 500, maxMs: 30_000 })));
    expect(seen.size).toBeGreaterThan(10);
    for (const d of seen) expect(d).toBeGreaterThanOrEqual(4000);
  });
});
