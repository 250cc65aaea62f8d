import { describe, expect, it } from 'vitest';
import { Backoff, backoffDelay } from './backoff.ts';

describe('Backoff', () => {
  it('doubles from the initial delay up to the cap', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000, random: () => 0 });
    expect(Array.from({ length: 7 }, () => b.next())).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
    expect(b.attempt).toBe(7);
  });

  it('jitter only shortens, within the configured fraction', () => {
    const b = new Backoff({ initialMs: 1000, maxMs: 1000, jitter: 0.2, random: () => 1 });
    expect(b.next()).toBe(800);
    const r = new Backoff({ initialMs: 1000, maxMs: 1000 });
    for (let i = 0; i < 100; i++) {
      const d = r.next();
      expect(d).toBeGreaterThanOrEqual(800);
      expect(d).toBeLessThanOrEqual(1000);
    }
  });

  it('reset starts over and a long outage never overflows', () => {
    const b = new Backoff({ initialMs: 100, maxMs: 5000, random: () => 0 });
    for (let i = 0; i < 2000; i++) expect(Number.isFinite(b.next())).toBe(true);
    expect(b.next()).toBe(5000);
    b.reset();
    expect(b.next()).toBe(100);
  });
});

describe('backoffDelay', () => {
  it('grows, is capped, and spreads retries over the lower half by default', () => {
    const top = (n: number) => backoffDelay(n, { baseMs: 500, maxMs: 30_000, random: () => 0 });
    expect([0, 1, 2, 3].map(top)).toEqual([500, 1000, 2000, 4000]);
    expect(top(10_000)).toBe(30_000);
    expect(backoffDelay(3, { baseMs: 500, maxMs: 30_000, random: () => 1 })).toBe(2000);
    const seen = new Set(Array.from({ length: 50 }, () => backoffDelay(4, { baseMs: 500, maxMs: 30_000 })));
    expect(seen.size).toBeGreaterThan(10);
    for (const d of seen) expect(d).toBeGreaterThanOrEqual(4000);
  });
});
