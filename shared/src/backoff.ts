export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** Injected for tests; defaults to Math.random. */
  random?: () => number;
}

/**
 * Capped exponential backoff with "equal jitter": the delay for attempt n lies
 * in [d/2, d] where d = min(max, base * 2^n). Half the delay is random so that
 * hundreds of terminals reconnecting after a relay restart spread out, and
 * half is fixed so a single terminal never retries in a tight loop.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions): number {
  const random = opts.random ?? Math.random;
  const exp = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, Math.min(attempt, 30)));
  return Math.round(exp / 2 + random() * (exp / 2));
}
