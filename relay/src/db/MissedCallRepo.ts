import type { Database, Statement, Transaction } from 'better-sqlite3';
import { AppError, ErrorCode } from '@helppoint/shared';
import { actorOf } from './CallRepo.ts';

/** A press delivered late from a terminal's outbox that nobody has called back yet. */
export interface MissedCallRecord {
  callId: string;
  terminalId: string;
  /** When the resident pressed, by the terminal's clock (the call's `pressed` event). */
  pressedAt: number;
  /** When the press reached the relay (the call's created_at). */
  deliveredAt: number;
}

export interface CalledBackRecord {
  callId: string;
  at: number;
  userId: number;
  note: string;
}

interface MissedRow {
  id: string;
  terminal_id: string;
  pressed_at: number | null;
  created_at: number;
}
interface CallRow {
  end_reason: string | null;
}
interface EventRow {
  at: number;
  actor: string | null;
  detail: string | null;
}

const MAX_LIST = 500;

/**
 * The desk's list of missed calls to call back. "Called back" is a call event
 * (`called_back`, with the officer as actor), so the call's timeline shows it
 * and no schema change is needed; a missed call without one is still open.
 */
export class MissedCallRepo {
  readonly #open: Statement<[number], MissedRow>;
  readonly #call: Statement<[string], CallRow>;
  readonly #calledBack: Statement<[string], EventRow>;
  readonly #insert: Statement<[string, number, string, string]>;
  readonly #markTx: Transaction<(i: CalledBackRecord) => { record: CalledBackRecord; changed: boolean }>;

  constructor({ db }: { db: Database }) {
    this.#open = db.prepare<[number], MissedRow>(`
      SELECT c.id, c.terminal_id, c.created_at,
        (SELECT MIN(e.at) FROM call_events e WHERE e.call_id = c.id AND e.type = 'pressed') AS pressed_at
      FROM calls c
      WHERE c.end_reason = 'missed'
        AND NOT EXISTS (SELECT 1 FROM call_events e WHERE e.call_id = c.id AND e.type = 'called_back')
      ORDER BY pressed_at DESC, c.rowid DESC LIMIT ?`);
    this.#call = db.prepare<[string], CallRow>('SELECT end_reason FROM calls WHERE id = ?');
    this.#calledBack = db.prepare<[string], EventRow>(
      "SELECT at, actor, detail FROM call_events WHERE call_id = ? AND type = 'called_back' ORDER BY at, id LIMIT 1",
    );
    this.#insert = db.prepare<[string, number, string, string]>("INSERT INTO call_events (call_id, at, type, actor, detail) VALUES (?, ?, 'called_back', ?, ?)");
    // Check and write under one write lock: two officers pressing at once record one call-back.
    this.#markTx = db.transaction((input: CalledBackRecord) => {
      const call = this.#call.get(input.callId);
      if (!call) throw new AppError(ErrorCode.CallNotFound, `no call ${input.callId}`);
      if (call.end_reason !== 'missed') throw new AppError(ErrorCode.NotAMissedCall, `call ${input.callId} was not a missed call`);
      const done = this.#calledBack.get(input.callId);
      if (done) return { record: toRecord(input.callId, done), changed: false };
      this.#insert.run(input.callId, input.at, actorOf.user(input.userId), JSON.stringify({ note: input.note }));
      return { record: input, changed: true };
    });
  }

  /** Missed calls nobody has called back, the latest press first. */
  listOpen(limit = 100): MissedCallRecord[] {
    const n = Math.min(MAX_LIST, Math.max(1, Math.trunc(limit) || 1));
    return this.#open.all(n).map((r) => ({ callId: r.id, terminalId: r.terminal_id, pressedAt: r.pressed_at ?? r.created_at, deliveredAt: r.created_at }));
  }

  /**
   * Records that an officer called the resident back. Idempotent: a second mark
   * keeps the first (changed=false). Throws call_not_found or not_a_missed_call.
   */
  markCalledBack(input: CalledBackRecord): { record: CalledBackRecord; changed: boolean } {
    return this.#markTx.immediate(input);
  }
}

function toRecord(callId: string, e: EventRow): CalledBackRecord {
  const userId = Number(/^user:(\d+)$/.exec(e.actor ?? '')?.[1] ?? 0);
  let note = '';
  try {
    const d = JSON.parse(e.detail ?? 'null') as { note?: unknown } | null;
    if (typeof d?.note === 'string') note = d.note;
  } catch {
    /* an unreadable detail still means it was called back */
  }
  return { callId, at: e.at, userId, note };
}
