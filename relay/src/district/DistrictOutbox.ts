import type { Database, Statement } from 'better-sqlite3';

export interface OutboxRow {
  id: number;
  msgId: string;
  subject: string;
  payload: string;
  createdAt: number;
  attempts: number;
}

/**
 * Call events bound for the district, in the station's own SQLite. Written
 * in the same process step as the call change that caused them; deleted
 * only when JetStream acknowledged them (sent rows are kept a day for audit).
 */
export class DistrictOutbox {
  readonly #add: Statement<[{ msg_id: string; subject: string; payload: string; created_at: number }]>;
  readonly #pending: Statement<[number], { id: number; msg_id: string; subject: string; payload: string; created_at: number; attempts: number }>;
  readonly #sent: Statement<[number, number]>;
  readonly #tried: Statement<[number]>;
  readonly #count: Statement<[], { n: number }>;
  readonly #prune: Statement<[number]>;

  constructor({ db }: { db: Database }) {
    // OR IGNORE: the same event (same msg id) recorded twice is one event.
    this.#add = db.prepare('INSERT OR IGNORE INTO district_outbox (msg_id, subject, payload, created_at) VALUES (@msg_id, @subject, @payload, @created_at)');
    this.#pending = db.prepare('SELECT id, msg_id, subject, payload, created_at, attempts FROM district_outbox WHERE sent_at IS NULL ORDER BY id LIMIT ?');
    this.#sent = db.prepare('UPDATE district_outbox SET sent_at = ? WHERE id = ?');
    this.#tried = db.prepare('UPDATE district_outbox SET attempts = attempts + 1 WHERE id = ?');
    this.#count = db.prepare('SELECT count(*) AS n FROM district_outbox WHERE sent_at IS NULL');
    this.#prune = db.prepare('DELETE FROM district_outbox WHERE sent_at IS NOT NULL AND sent_at < ?');
  }

  add(msgId: string, subject: string, payload: unknown, at = Date.now()): boolean {
    return this.#add.run({ msg_id: msgId, subject, payload: JSON.stringify(payload), created_at: at }).changes > 0;
  }

  pending(limit = 200): OutboxRow[] {
    return this.#pending.all(limit).map((r) => ({ id: r.id, msgId: r.msg_id, subject: r.subject, payload: r.payload, createdAt: r.created_at, attempts: r.attempts }));
  }

  markSent(id: number, at = Date.now()): void {
    this.#sent.run(at, id);
  }

  markTried(id: number): void {
    this.#tried.run(id);
  }

  get pendingCount(): number {
    return this.#count.get()?.n ?? 0;
  }

  prune(before: number): number {
    return this.#prune.run(before).changes;
  }
}
