import type { Logger } from 'pino';
import { AppError, ErrorCode } from '@helppoint/shared';

/** A token bucket: `burst` messages at once, refilled at one per `everyMs`. */
export interface Budget {
  burst: number;
  everyMs: number;
}

export interface TerminalLimits {
  /** Per message type; types not listed share `other`. */
  budgets: Record<string, Budget>;
  other: Budget;
  /** Terminal timestamps (pressedAt, self-test times) further from the relay's clock than this are replaced by the relay's time. */
  futureSkewMs: number;
  pastWindowMs: number;
  /** Late (outbox) deliveries recorded per terminal per hour; more are refused and retried later by the kiosk. */
  lateDeliveriesPerHour: number;
}

export const DEFAULT_TERMINAL_LIMITS: TerminalLimits = {
  budgets: {
    // Replaced from the relay's heartbeat interval (three times the expected rate); this is for 10 s.
    heartbeat: { burst: 10, everyMs: 3_333 },
    'selftest.report': { burst: 5, everyMs: 20_000 },
    alarm: { burst: 10, everyMs: 3_000 },
    // A resident may press many times; a real first press must never meet an empty bucket.
    'help.request': { burst: 30, everyMs: 1_000 },
    'help.cancel': { burst: 30, everyMs: 1_000 },
  },
  other: { burst: 60, everyMs: 100 },
  futureSkewMs: 5 * 60_000,
  pastWindowMs: 7 * 24 * 3600_000,
  lateDeliveriesPerHour: 20,
};

interface Bucket {
  tokens: number;
  at: number;
}

type Handlers = Record<string, (data: never) => unknown>;

/**
 * Per-terminal rate limits and sanity bounds on every terminal message,
 * applied by wrapping the gateway's handler map: a message over its type's
 * budget is answered rate_limited and does nothing (no database write, no
 * console push), so a flooding terminal costs the relay a parse and a
 * refusal, and cannot slow other terminals' presses down. Budgets are per
 * terminal, not per connection, so reconnecting does not refill them.
 */
export class TerminalMessageLimits {
  readonly #limits: TerminalLimits;
  readonly #now: () => number;
  readonly #log: Logger;
  readonly #buckets = new Map<string, Bucket>();
  readonly #late = new Map<string, number[]>();
  readonly #refused = new Map<string, number>();
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(opts: { limits: TerminalLimits; logger: Logger; now?: () => number; heartbeatIntervalMs?: number }) {
    // An honest kiosk heartbeats once per interval: it never meets an empty bucket, so a refused
    // heartbeat (which does not count as a sign of life) only ever hits a flooding one.
    const beat: Record<string, Budget> = opts.heartbeatIntervalMs ? { heartbeat: { burst: 10, everyMs: Math.max(50, Math.floor(opts.heartbeatIntervalMs / 3)) } } : {};
    this.#limits = { ...opts.limits, budgets: { ...opts.limits.budgets, ...beat } };
    this.#now = opts.now ?? Date.now;
    this.#log = opts.logger.child({ component: 'terminal-limits' });
    this.#timer = setInterval(() => this.#summarise(), 10_000);
    this.#timer.unref?.();
  }

  /** The same handlers, each checking its type's budget first. */
  guard<H extends Handlers>(terminalId: string, handlers: H): H {
    const out: Handlers = {};
    for (const [type, handler] of Object.entries(handlers)) {
      out[type] = ((data: never) => {
        this.take(terminalId, type);
        return handler(data);
      }) as never;
    }
    return out as H;
  }

  /** Throws rate_limited when the terminal has used up this type's budget. */
  take(terminalId: string, type: string): void {
    const budget = this.#limits.budgets[type] ?? this.#limits.other;
    const key = `${terminalId}|${this.#limits.budgets[type] ? type : 'other'}`;
    const now = this.#now();
    const b = this.#buckets.get(key) ?? { tokens: budget.burst, at: now };
    b.tokens = Math.min(budget.burst, b.tokens + (now - b.at) / budget.everyMs);
    b.at = now;
    this.#buckets.set(key, b);
    if (b.tokens < 1) {
      this.#refused.set(`${terminalId}|${type}`, (this.#refused.get(`${terminalId}|${type}`) ?? 0) + 1);
      throw new AppError(ErrorCode.RateLimited, `too many ${type} messages; slow down`, { retryAfterS: Math.ceil(((1 - b.tokens) * budget.everyMs) / 1000) });
    }
    b.tokens -= 1;
  }

  /** A terminal's timestamp, or the relay's time when it is outside the window (the Pi's clock may be unset after a power cut). */
  clampTime(terminalId: string, what: string, at: number | undefined): number {
    const now = this.#now();
    if (at === undefined) return now;
    if (at > now + this.#limits.futureSkewMs || at < now - this.#limits.pastWindowMs) {
      this.#log.warn({ terminalId, what, terminalTime: at, relayTime: now, skewMs: at - now }, 'terminal timestamp outside the window: relay time used');
      return now;
    }
    return at;
  }

  /** Throws rate_limited past the hourly cap of late deliveries (they stay in the kiosk's outbox and come again). */
  takeLateDelivery(terminalId: string): void {
    const now = this.#now();
    const list = (this.#late.get(terminalId) ?? []).filter((t) => now - t < 3600_000);
    if (list.length >= this.#limits.lateDeliveriesPerHour) {
      this.#late.set(terminalId, list);
      this.#refused.set(`${terminalId}|help.request(late)`, (this.#refused.get(`${terminalId}|help.request(late)`) ?? 0) + 1);
      throw new AppError(ErrorCode.RateLimited, 'too many late deliveries this hour; keep them and try later', { retryAfterS: Math.ceil((3600_000 - (now - list[0]!)) / 1000) });
    }
    list.push(now);
    this.#late.set(terminalId, list);
  }

  #summarise(): void {
    if (this.#refused.size === 0) return;
    const top = [...this.#refused.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10);
    this.#log.warn({ refused: Object.fromEntries(top) }, 'terminal messages over their budget were refused');
    this.#refused.clear();
    if (this.#buckets.size > 50_000) this.#buckets.clear();
  }

  close(): void {
    clearInterval(this.#timer);
  }
}
