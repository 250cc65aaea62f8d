import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database, Statement } from 'better-sqlite3';

/** One button press on its way to the relay. */
export interface OutboxEntry {
  requestId: string;
  /** Terminal clock, ms. */
  pressedAt: number;
  /** The relay acknowledged it (a live or a missed call exists there). */
  deliveredAt: number | null;
  callId: string | null;
  /** The SMS fallback left through the modem for this press. */
  smsSentAt: number | null;
  attempts: number;
  /** The relay refused it for good (e.g. unknown_terminal): no more retries. */
  refusedCode: string | null;
}

interface Row {
  request_id: string;
  pressed_at: number;
  delivered_at: number | null;
  call_id: string | null;
  sms_sent_at: number | null;
  attempts: number;
  refused_code: string | null;
}

const COLS = 'request_id, pressed_at, delivered_at, call_id, sms_sent_at, attempts, refused_code';
/** Delivered presses are kept this long for the technician's view, then pruned. */
const KEEP_DELIVERED_MS = 30 * 24 * 3600 * 1000;

/**
 * The terminal's durable record of every press (SQLite in the state dir).
 * A press is written here before anything is sent, so a crash, a reboot or
 * an outage between press and acknowledgement never loses it; delivery is
 * retried until the relay acknowledges, and the relay is idempotent by
 * requestId, so a retry never makes a second call.
 */
export class Outbox {
  readonly #db: Database;
  readonly #add: Statement<[string, number]>;
  readonly #get: Statement<[string], Row>;
  readonly #pending: Statement<[], Row>;
  readonly #delivered: Statement<[number, string, string]>;
  readonly #attempt: Statement<[string]>;
  readonly #refused: Statement<[string, string]>;
  readonly #sms: Statement<[number, string]>;
  readonly #prune: Statement<[number]>;
  #closed = false;

  private constructor(db: Database) {
    this.#db = db;
    this.#add = db.prepare('INSERT INTO presses (request_id, pressed_at) VALUES (?, ?) ON CONFLICT (request_id) DO NOTHING');
    this.#get = db.prepare(`SELECT ${COLS} FROM presses WHERE request_id = ?`);
    this.#pending = db.prepare(`SELECT ${COLS} FROM presses WHERE delivered_at IS NULL AND refused_code IS NULL ORDER BY pressed_at, rowid`);
    this.#delivered = db.prepare('UPDATE presses SET delivered_at = ?, call_id = ? WHERE request_id = ? AND delivered_at IS NULL');
    this.#attempt = db.prepare('UPDATE presses SET attempts = attempts + 1 WHERE request_id = ?');
    this.#refused = db.prepare('UPDATE presses SET refused_code = ? WHERE request_id = ?');
    this.#sms = db.prepare('UPDATE presses SET sms_sent_at = ? WHERE request_id = ? AND sms_sent_at IS NULL');
    this.#prune = db.prepare('DELETE FROM presses WHERE delivered_at IS NOT NULL AND delivered_at < ?');
  }

  /** Opens (creating) `<stateDir>/outbox.sqlite`. */
  static open(stateDir: string): Outbox {
    fs.mkdirSync(stateDir, { recursive: true });
    const db = new BetterSqlite3(path.join(stateDir, 'outbox.sqlite'));
    try {
      db.pragma('journal_mode = WAL');
      // FULL: a press must survive the Pi losing power right after it was written.
      db.pragma('synchronous = FULL');
      db.exec(`CREATE TABLE IF NOT EXISTS presses (
        request_id    TEXT PRIMARY KEY,
        pressed_at    INTEGER NOT NULL,
        delivered_at  INTEGER,
        call_id       TEXT,
        sms_sent_at   INTEGER,
        attempts      INTEGER NOT NULL DEFAULT 0,
        refused_code  TEXT
      ) STRICT`);
      const outbox = new Outbox(db);
      outbox.#prune.run(Date.now() - KEEP_DELIVERED_MS);
      return outbox;
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** Records a press (no-op if this requestId is already known). */
  add(requestId: string, pressedAt: number): OutboxEntry {
    this.#add.run(requestId, pressedAt);
    return this.get(requestId)!;
  }

  get(requestId: string): OutboxEntry | null {
    const row = this.#get.get(requestId);
    return row ? toEntry(row) : null;
  }

  /** Not yet acknowledged and not refused, oldest first. */
  pending(): OutboxEntry[] {
    return this.#pending.all().map(toEntry);
  }

  noteAttempt(requestId: string): void {
    this.#attempt.run(requestId);
  }

  markDelivered(requestId: string, callId: string, at = Date.now()): void {
    this.#delivered.run(at, callId, requestId);
  }

  markRefused(requestId: string, code: string): void {
    this.#refused.run(code, requestId);
  }

  /** Returns false if an SMS was already recorded for this press (send it once). */
  markSmsSent(requestId: string, at = Date.now()): boolean {
    return this.#sms.run(at, requestId).changes === 1;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }
}

function toEntry(r: Row): OutboxEntry {
  return {
    requestId: r.request_id,
    pressedAt: r.pressed_at,
    deliveredAt: r.delivered_at,
    callId: r.call_id,
    smsSentAt: r.sms_sent_at,
    attempts: r.attempts,
    refusedCode: r.refused_code,
  };
}
