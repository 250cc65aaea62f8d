import type { Database, Statement } from 'better-sqlite3';
import type { Logger } from 'pino';

export interface RowRetentionOptions {
  db: Database;
  logger: Logger;
  /** Audit rows older than this are deleted (evidence retention is separate: EvidenceRetention). */
  auditDays: number;
  /** Self-test reports older than this are deleted, except each terminal's latest. */
  selfTestDays: number;
  everyMs?: number;
}

/**
 * Keeps the audit log and the self-test history from growing without bound.
 * Deletes in small batches so a sweep never holds the write lock long
 * enough to delay a help call.
 */
export class RowRetention {
  readonly #opts: RowRetentionOptions;
  readonly #log: Logger;
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #audit: Statement<[number]>;
  readonly #selfTests: Statement<[number]>;

  constructor(opts: RowRetentionOptions) {
    this.#opts = opts;
    this.#log = opts.logger.child({ component: 'row-retention' });
    this.#audit = opts.db.prepare<[number]>('DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < ? LIMIT 1000)');
    this.#selfTests = opts.db.prepare<[number]>(`
      DELETE FROM self_tests WHERE id IN (
        SELECT s.id FROM self_tests s
        WHERE s.finished_at < ?
          AND s.id <> (SELECT max(id) FROM self_tests l WHERE l.terminal_id = s.terminal_id)
        LIMIT 1000)`);
    this.#timer = setInterval(() => this.sweep(), opts.everyMs ?? 6 * 3600_000);
    this.#timer.unref?.();
  }

  sweep(now = Date.now()): { audit: number; selfTests: number } {
    const out = { audit: 0, selfTests: 0 };
    try {
      const day = 86_400_000;
      for (let n = 1; n > 0; ) out.audit += n = this.#audit.run(now - this.#opts.auditDays * day).changes;
      for (let n = 1; n > 0; ) out.selfTests += n = this.#selfTests.run(now - this.#opts.selfTestDays * day).changes;
      if (out.audit || out.selfTests) this.#log.info({ ...out, auditDays: this.#opts.auditDays, selfTestDays: this.#opts.selfTestDays }, 'old audit and self-test rows deleted');
    } catch (err) {
      this.#log.error({ err }, 'row retention sweep failed');
    }
    return out;
  }

  close(): void {
    clearInterval(this.#timer);
  }
}
