/**
 * Failure counting with exponential back-off for one kind of key (an account,
 * an address, a device). Checking and reserving happen in one synchronous
 * step (`reserve`), before the slow password hash: a burst of parallel
 * attempts cannot all pass the check, because each one that passes is
 * counted as pending at once and settled (failed or released) afterwards.
 *
 * The first `free` failures cost nothing (typing mistakes); after that each
 * attempt must wait baseMs·2^(n-free), capped at maxMs, and only one attempt
 * may be in flight. Failures are forgotten `windowMs` after the last one.
 * In memory on purpose: a restart clearing the counters is acceptable, and it
 * keeps sign-in off the database's write path.
 */
export interface BackoffOptions {
  free: number;
  baseMs: number;
  maxMs: number;
  windowMs: number;
  now?: () => number;
}

interface Entry {
  failures: number;
  pending: number;
  lastFailureAt: number;
  nextAllowedAt: number;
}

export class Backoff {
  readonly #opts: BackoffOptions;
  readonly #now: () => number;
  readonly #entries = new Map<string, Entry>();

  constructor(opts: BackoffOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
  }

  /** Milliseconds `key` must wait before an attempt may start (0: it may start now). */
  waitFor(key: string): number {
    const e = this.#live(key);
    if (!e) return 0;
    if (e.failures + e.pending < this.#opts.free) return 0;
    if (e.pending > 0) return Math.max(1000, e.nextAllowedAt - this.#now());
    return Math.max(0, e.nextAllowedAt - this.#now());
  }

  /** Counts an attempt as started; call exactly one of fail/release afterwards. Check waitFor first. */
  reserve(key: string): void {
    let e = this.#live(key);
    if (!e) {
      e = { failures: 0, pending: 0, lastFailureAt: 0, nextAllowedAt: 0 };
      this.#entries.set(key, e);
    }
    e.pending++;
    if (this.#entries.size > 20_000) this.#sweep();
  }

  fail(key: string): void {
    const e = this.#entries.get(key);
    const now = this.#now();
    if (!e) return;
    e.pending = Math.max(0, e.pending - 1);
    e.failures++;
    e.lastFailureAt = now;
    const over = e.failures - this.#opts.free;
    e.nextAllowedAt = over < 0 ? 0 : now + Math.min(this.#opts.maxMs, this.#opts.baseMs * 2 ** over);
  }

  release(key: string): void {
    const e = this.#entries.get(key);
    if (e) e.pending = Math.max(0, e.pending - 1);
  }

  reset(key: string): boolean {
    return this.#entries.delete(key);
  }

  failures(key: string): number {
    return this.#live(key)?.failures ?? 0;
  }

  /** Keys that must wait now, for the admin's unlock page. */
  blocked(): { key: string; failures: number; waitMs: number }[] {
    const out: { key: string; failures: number; waitMs: number }[] = [];
    for (const key of this.#entries.keys()) {
      const waitMs = this.waitFor(key);
      if (waitMs > 0) out.push({ key, failures: this.#entries.get(key)?.failures ?? 0, waitMs });
    }
    return out;
  }

  #live(key: string): Entry | undefined {
    const e = this.#entries.get(key);
    if (!e) return undefined;
    if (e.pending === 0 && e.failures > 0 && this.#now() - e.lastFailureAt >= this.#opts.windowMs) {
      this.#entries.delete(key);
      return undefined;
    }
    if (e.pending === 0 && e.failures === 0) {
      this.#entries.delete(key);
      return undefined;
    }
    return e;
  }

  #sweep(): void {
    for (const key of [...this.#entries.keys()]) this.#live(key);
  }
}
