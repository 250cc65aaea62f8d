export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  factor?: number;
  /** Fraction (0..1) of each delay that is randomly taken off. */
  jitter?: number;
  random?: () => number;
}

/**
 * Capped exponential backoff with jitter, for restarting a crashed child.
 * A camera that is unplugged must not make ffmpeg respawn in a tight loop
 * (that would starve the call's CPU), yet one that comes back should be used
 * again within seconds. Jitter only shortens a delay, so the cap holds.
 */
export class Backoff {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
  readonly jitter: number;
  #random: () => number;
  #attempt = 0;

  constructor(opts: BackoffOptions = {}) {
    this.initialMs = opts.initialMs ?? 500;
    this.maxMs = opts.maxMs ?? 10_000;
    this.factor = opts.factor ?? 2;
    this.jitter = Math.min(1, Math.max(0, opts.jitter ?? 0.2));
    this.#random = opts.random ?? Math.random;
  }

  /** How many delays have been handed out since the last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  next(): number {
    return backoffDelay(this.#attempt++, { baseMs: this.initialMs, maxMs: this.maxMs, factor: this.factor, jitter: this.jitter, random: this.#random });
  }

  reset(): void {
    this.#attempt = 0;
  }
}

/**
 * The delay before retry number `attempt` (0-based): base × factor^attempt,
 * capped, minus up to `jitter` of it at random (default half), so hundreds of
 * terminals reconnecting after a relay restart spread out instead of arriving
 * together. Jitter only shortens a delay, so the cap holds.
 */
export function backoffDelay(
  attempt: number,
  opts: { baseMs: number; maxMs: number; factor?: number; jitter?: number; random?: () => number },
): number {
  // Clamp the exponent so a long outage cannot overflow to Infinity.
  const exp = Math.min(Math.max(0, attempt), 40);
  const capped = Math.min(opts.maxMs, opts.baseMs * (opts.factor ?? 2) ** exp);
  const jitter = Math.min(1, Math.max(0, opts.jitter ?? 0.5));
  return Math.round(capped * (1 - jitter * (opts.random ?? Math.random)()));
}
