/**
 * Counts failures per key in a fixed window (e.g. "account:officer1",
 * "address:10.0.0.5"). In memory on purpose: a relay restart clearing the
 * counters is acceptable, and it keeps login off the database's write path.
 */
export class RateLimiter {
  readonly #max: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, { count: number; resetAt: number }>();

  constructor(opts: { max: number; windowMs: number; now?: () => number }) {
    this.#max = opts.max;
    this.#windowMs = opts.windowMs;
    this.#now = opts.now ?? Date.now;
  }

  /** Milliseconds until `key` may try again, or 0 when it may try now. */
  blockedFor(key: string): number {
    const b = this.#buckets.get(key);
    if (!b) return 0;
    const now = this.#now();
    if (now >= b.resetAt) {
      this.#buckets.delete(key);
      return 0;
    }
    return b.count >= this.#max ? b.resetAt - now : 0;
  }

  fail(key: string): void {
    const now = this.#now();
    const b = this.#buckets.get(key);
    if (!b || now >= b.resetAt) this.#buckets.set(key, { count: 1, resetAt: now + this.#windowMs });
    else b.count++;
    if (this.#buckets.size > 10_000) this.#sweep(now);
  }

  reset(key: string): void {
    this.#buckets.delete(key);
  }

  #sweep(now: number): void {
    for (const [k, b] of this.#buckets) if (now >= b.resetAt) this.#buckets.delete(k);
  }
}
