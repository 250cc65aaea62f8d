import type Database from 'better-sqlite3';

/**
 * Every row of the tables a refusal must not touch. The audit log is left out
 * on purpose (refusals are written there) and so are sessions (reading one
 * updates its last_seen_at).
 */
export function dbSnapshot(db: Database.Database): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const table of ['terminals', 'enrolment_codes', 'users', 'calls', 'call_events']) {
    out[table] = db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all();
  }
  return out;
}

export function lastAudit(db: Database.Database): { action: string; target: string | null; outcome: string; detail: string | null; actor: string } {
  return db.prepare('SELECT action, target, outcome, detail, actor FROM audit_log ORDER BY id DESC LIMIT 1').get() as never;
}
