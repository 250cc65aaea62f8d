import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import { AuditRepo, type AuditEntry, type AuditInput } from '../db/AuditRepo.ts';

export interface AnonymousAuditLimits {
  /** Rows per address per window for anonymous actors (refused logins, forged hellos, bad enrolment codes). */
  perAddress: number;
  /** Rows across all addresses per window. */
  total: number;
  windowMs: number;
}

export const DEFAULT_ANONYMOUS_AUDIT_LIMITS: AnonymousAuditLimits = { perAddress: 20, total: 200, windowMs: 60_000 };

/**
 * The audit log, with anonymous writes rate-limited: someone outside the
 * station's accounts could otherwise fill the database with refused-login
 * and forged-hello rows. Within the budget every row is written as before;
 * past it, rows are counted instead and one `audit.suppressed` row per
 * address says how many of what were dropped when the window closes.
 * Signed-in users' and terminals' actions are never dropped.
 */
export class ThrottledAuditRepo extends AuditRepo {
  readonly #limits: AnonymousAuditLimits;
  readonly #now: () => number;
  readonly #log: Logger;
  #windowStart = 0;
  #total = 0;
  readonly #perAddress = new Map<string, number>();
  readonly #suppressed = new Map<string, Map<string, number>>();

  constructor(opts: { db: Database; logger: Logger; limits?: AnonymousAuditLimits; now?: () => number }) {
    super({ db: opts.db, ...(opts.now ? { now: opts.now } : {}) });
    this.#limits = opts.limits ?? DEFAULT_ANONYMOUS_AUDIT_LIMITS;
    this.#now = opts.now ?? Date.now;
    this.#log = opts.logger.child({ component: 'audit' });
  }

  override write(entry: AuditInput): AuditEntry {
    if (entry.actor !== 'anonymous') return super.write(entry);
    const now = this.#now();
    if (now - this.#windowStart >= this.#limits.windowMs) this.flush(now);
    const addr = entry.remote ?? 'unknown';
    const used = this.#perAddress.get(addr) ?? 0;
    if (used < this.#limits.perAddress && this.#total < this.#limits.total) {
      this.#perAddress.set(addr, used + 1);
      this.#total++;
      return super.write(entry);
    }
    let byAction = this.#suppressed.get(addr);
    if (!byAction) this.#suppressed.set(addr, (byAction = new Map()));
    byAction.set(entry.action, (byAction.get(entry.action) ?? 0) + 1);
    return { id: 0, at: now, actor: entry.actor, action: entry.action, target: entry.target ?? null, outcome: entry.outcome ?? 'ok', detail: entry.detail ?? null, remote: entry.remote ?? null };
  }

  /** Writes the summary rows of the window that ended and starts a new one. */
  flush(now = this.#now()): void {
    for (const [remote, byAction] of this.#suppressed) {
      const counts = Object.fromEntries(byAction);
      super.write({ actor: 'anonymous', action: 'audit.suppressed', outcome: 'refused', detail: { counts, windowMs: this.#limits.windowMs }, remote });
      this.#log.warn({ remote, counts }, 'anonymous audit rows over the rate limit were counted, not written');
    }
    this.#suppressed.clear();
    this.#perAddress.clear();
    this.#total = 0;
    this.#windowStart = now;
  }
}
