import { AppError, ErrorCode } from '@helppoint/shared';
import { Backoff } from './Backoff.ts';

export interface LoginLimits {
  /** Failed sign-ins per account (from untrusted browsers) before back-off starts. */
  perAccount: number;
  /** Failed sign-ins (any username) and failed enrolments per address before back-off starts. */
  perAddress: number;
  /** Failures are forgotten this long after the last one. */
  windowMs: number;
  /** First back-off step once the free failures are used; doubles per failure. */
  baseBackoffMs?: number;
  /** Longest single wait: the officer is slowed, never locked out for good. */
  maxBackoffMs?: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perAccount: 5, perAddress: 10, windowMs: 15 * 60_000, baseBackoffMs: 2_000, maxBackoffMs: 5 * 60_000 };

export interface LoginAttemptKeys {
  /** Absent for enrolment (the Pi has no account). */
  account?: string;
  address: string;
  /** Set when the browser shows a valid known-device cookie for this account (signed at an earlier sign-in). */
  trustedDevice?: string | null;
}

/** One attempt that passed the throttle; settle it exactly once. */
export interface LoginAttempt {
  failed(): void;
  succeeded(): void;
}

/**
 * Slows password and enrolment-code guessing without handing an attacker a
 * way to lock the desk out:
 * - per address first: an address that keeps failing backs off, whatever
 *   usernames it tries;
 * - per account only for browsers the account has not signed in from before
 *   (no known-device cookie): someone guessing officer1's password from many
 *   addresses slows the untrusted path, while officer1's own desk, holding
 *   its device cookie, has its own counter and is not slowed by the attacker;
 * - back-off, not lock-out: waits double up to maxBackoffMs and the 429
 *   carries retryAfterS (sent as Retry-After); an admin can unlock at once.
 * The check and the count are one synchronous step taken before the slow
 * password hash, so parallel attempts cannot slip past a limit.
 */
export class LoginThrottle {
  readonly #address: Backoff;
  readonly #account: Backoff;
  readonly #device: Backoff;

  constructor(limits: LoginLimits, now?: () => number) {
    const common = { baseMs: limits.baseBackoffMs ?? 2_000, maxMs: limits.maxBackoffMs ?? 5 * 60_000, windowMs: limits.windowMs, ...(now ? { now } : {}) };
    this.#address = new Backoff({ ...common, free: limits.perAddress });
    this.#account = new Backoff({ ...common, free: limits.perAccount });
    this.#device = new Backoff({ ...common, free: limits.perAccount });
  }

  /** Throws too_many_attempts (with retryAfterS) or returns the reserved attempt. */
  begin(keys: LoginAttemptKeys): LoginAttempt {
    const address = keys.address;
    const second = keys.account === undefined ? null : keys.trustedDevice ? { b: this.#device, key: `${accountKey(keys.account)}|${keys.trustedDevice}` } : { b: this.#account, key: accountKey(keys.account) };
    const wait = Math.max(this.#address.waitFor(address), second ? second.b.waitFor(second.key) : 0);
    if (wait > 0) {
      const retryAfterS = Math.ceil(wait / 1000);
      throw new AppError(ErrorCode.TooManyAttempts, `too many failed attempts; try again in ${retryAfterS} s`, { retryAfterS });
    }
    this.#address.reserve(address);
    second?.b.reserve(second.key);
    let settled = false;
    return {
      failed: () => {
        if (settled) return;
        settled = true;
        this.#address.fail(address);
        second?.b.fail(second.key);
      },
      succeeded: () => {
        if (settled) return;
        settled = true;
        // The address keeps its failures: a valid account of one's own must not reset the guessing budget.
        this.#address.release(address);
        // Only the counter this attempt used: the officer signing in at their desk must not hand
        // whoever is guessing from elsewhere a fresh set of free attempts.
        if (second) second.b.reset(second.key);
      },
    };
  }

  /** Admin unlock: the account's untrusted and trusted-device counters are cleared. */
  unlockAccount(username: string): boolean {
    const k = accountKey(username);
    let any = this.#account.reset(k);
    for (const b of this.#device.blocked()) if (b.key.startsWith(`${k}|`)) any = this.#device.reset(b.key) || any;
    return any;
  }

  unlockAddress(address: string): boolean {
    return this.#address.reset(address);
  }

  /** What is backing off now, for the admin. */
  blocked(): { accounts: { username: string; failures: number; retryAfterS: number }[]; addresses: { address: string; failures: number; retryAfterS: number }[] } {
    return {
      accounts: this.#account.blocked().map((b) => ({ username: b.key, failures: b.failures, retryAfterS: Math.ceil(b.waitMs / 1000) })),
      addresses: this.#address.blocked().map((b) => ({ address: b.key, failures: b.failures, retryAfterS: Math.ceil(b.waitMs / 1000) })),
    };
  }
}

// Usernames are case-insensitive in the database, so "Officer1" and "officer1" share a counter.
const accountKey = (username: string) => username.trim().toLowerCase();
