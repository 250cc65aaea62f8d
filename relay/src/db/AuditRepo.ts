import type { Database, Statement } from 'better-sqlite3';

export type AuditOutcome = 'ok' | 'refused';

/** One privileged action or refused attempt, as admins read it in the console. */
export interface AuditEntry {
  id: number;
  at: number;
  /** user:<username>, terminal:<id>, cli, or anonymous */
  actor: string;
  /** dotted verb, e.g. terminal.enrol, user.disable, call.answer, terminal.hello */
  action: string;
  target: string | null;
  outcome: AuditOutcome;
  detail: Record<string, unknown> | null;
  remote: string | null;
}

export type AuditInput = Omit<AuditEntry, 'id' | 'at' | 'target' | 'detail' | 'remote' | 'outcome'> & {
  target?: string | null;
  outcome?: AuditOutcome;
  detail?: Record<string, unknown> | null;
  remote?: string | null | undefined;
};

interface AuditRow {
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  outcome: AuditOutcome;
  detail: string | null;
  remote: string | null;
}

const COLS = 'id, at, actor, action, target, outcome, detail, remote';

/** Append-only: there is deliberately no update or delete here. */
export class AuditRepo {
  readonly #now: () => number;
  readonly #insert: Statement<[Omit<AuditRow, 'id'>], AuditRow>;
  readonly #list: Statement<[number, number], AuditRow>;
  readonly #count: Statement<[], { n: number }>;

  constructor({ db, now = Date.now }: { db: Database; now?: () => number }) {
    this.#now = now;
    this.#insert = db.prepare(`
      INSERT INTO audit_log (at, actor, action, target, outcome, detail, remote)
      VALUES (@at, @actor, @action, @target, @outcome, @detail, @remote) RETURNING ${COLS}`);
    this.#list = db.prepare<[number, number], AuditRow>(`SELECT ${COLS} FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?`);
    this.#count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM audit_log');
  }

  write(entry: AuditInput): AuditEntry {
    const row = this.#insert.get({
      at: this.#now(),
      actor: entry.actor,
      action: entry.action,
      target: entry.target ?? null,
      outcome: entry.outcome ?? 'ok',
      detail: entry.detail ? JSON.stringify(entry.detail) : null,
      remote: entry.remote ?? null,
    });
    if (!row) throw new Error('audit insert returned no row');
    return toEntry(row);
  }

  /** Newest first; pass the smallest id seen as `beforeId` for the next page. */
  list({ limit = 100, beforeId }: { limit?: number; beforeId?: number } = {}): AuditEntry[] {
    return this.#list.all(beforeId ?? Number.MAX_SAFE_INTEGER, limit).map(toEntry);
  }

  count(): number {
    return this.#count.get()?.n ?? 0;
  }
}

function toEntry(r: AuditRow): AuditEntry {
  return {
    id: r.id,
    at: r.at,
    actor: r.actor,
    action: r.action,
    target: r.target,
    outcome: r.outcome,
    detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null,
    remote: r.remote,
  };
}
