import { AppError, ErrorCode } from '@helppoint/shared';
import { RateLimiter } from './RateLimiter.ts';

export interface LoginLimits {
  /** Failed sign-ins per username before it is locked for the rest of the window. */
  perAccount: number;
  /** Failed sign-ins (any username) and failed enrolments per address. */
  perAddress: number;
  windowMs: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perAccount: 5, perAddress: 30, windowMs: 15 * 60 * 1000 };

/**
 * Slows password and enrolment-code guessing: after too many failures per
 * account or per address, attempts are refused with too_many_attempts (429)
 * before any password is checked, so a correct guess then does not help.
 */
export class LoginGuard {
  readonly #account: RateLimiter;
  readonly #address: RateLimiter;

  constructor(limits: LoginLimits, now?: () => number) {
    const clock = now ? { now } : {};
    this.#account = new RateLimiter({ max: limits.perAccount, windowMs: limits.windowMs, ...clock });
    this.#address = new RateLimiter({ max: limits.perAddress, windowMs: limits.windowMs, ...clock });
  }

  /** Throws too_many_attempts when either the account or the address is locked. */
  check(opts: { account?: string; address: string }): void {
    const wait = Math.max(opts.account ? this.#account.blockedFor(accountKey(opts.account)) : 0, this.#address.blockedFor(opts.address));
    if (wait > 0) {
      throw new AppError(ErrorCode.TooManyAttempts, `too many failed attempts; try again in ${Math.ceil(wait / 60_000)} min`, {
        retryAfterS: Math.ceil(wait / 1000),
      });
    }
  }

  failed(opts: { account?: string; address: string }): void {
    if (opts.account) this.#account.fail(accountKey(opts.account));
    this.#address.fail(opts.address);
  }

  succeeded(account: string): void {
    this.#account.reset(accountKey(account));
  }
}

// Usernames are case-insensitive in the database, so "Officer1" and "officer1" share a counter.
const accountKey = (username: string) => username.trim().toLowerCase();
