import { randomUUID } from 'node:crypto';
import type { Database, Statement, Transaction } from 'better-sqlite3';
import { AppError, ErrorCode } from '@helppoint/shared';
import type { CallKind as SharedCallKind, CallRecordView, CallViewKind, EndReason } from '@helppoint/shared';
import { DbError, sqliteCode } from './DbError.ts';

export const CALL_STATES = ['ringing', 'answered', 'ended'] as const;
export type CallState = (typeof CALL_STATES)[number];

export const CALL_ENDED_BY = ['officer', 'terminal', 'relay'] as const;
export type CallEndedBy = (typeof CALL_ENDED_BY)[number];

/** Event types the repository writes itself; other components may add their own. */
export type KnownCallEventType = 'pressed' | 'rang' | 'media' | 'answered' | 'escalated' | 'ended';

/** What a terminal raises (help, tamper). */
export type CallKind = SharedCallKind;
/** A record is a terminal's call, or an officer's look-in at its camera (kind lookin, migration 005). */
export type CallRecordKind = CallViewKind;

/**
 * Look-ins are stored as calls of kind lookin (so media, recording and
 * history apply); their request id, which must be unique, carries this
 * prefix. Terminals cannot forge it: their request ids allow no colon.
 */
export const LOOKIN_REQUEST_PREFIX = 'lookin:';
export type CallEventType = KnownCallEventType | (string & {});

export interface CallRecord {
  id: string;
  /** The terminal's idempotency key for the button press. */
  requestId: string;
  terminalId: string;
  state: CallState;
  createdAt: number;
  rangAt: number | null;
  answeredAt: number | null;
  /** users.id of the officer who took the call. */
  answeredBy: number | null;
  endedAt: number | null;
  endReason: EndReason | null;
  endedBy: CallEndedBy | null;
  kind: CallRecordKind;
  /** Nobody had answered within the escalation time. */
  escalatedAt: number | null;
}

// The REST contract's CallRecordView must be able to carry every stored call (compile-time check).
export type CallRecordFitsContract = CallRecord extends CallRecordView ? true : never;
const callRecordFits: CallRecordFitsContract = true;
void callRecordFits;

export interface CallEventRecord {
  id: number;
  callId: string;
  at: number;
  type: CallEventType;
  actor: string | null;
  /** Parsed JSON; null when none was stored. */
  detail: unknown;
}

export type AnswerResult = { ok: true; call: CallRecord } | { ok: false; call: CallRecord };

interface CallRow {
  id: string;
  request_id: string;
  terminal_id: string;
  state: CallState;
  created_at: number;
  rang_at: number | null;
  answered_at: number | null;
  answered_by: number | null;
  ended_at: number | null;
  end_reason: EndReason | null;
  ended_by: CallEndedBy | null;
  kind: CallRecordKind;
  escalated_at: number | null;
}

interface EventRow {
  id: number;
  call_id: string;
  at: number;
  type: string;
  actor: string | null;
  detail: string | null;
}

const COLS =
  'id, request_id, terminal_id, state, created_at, rang_at, answered_at, answered_by, ended_at, end_reason, ended_by, kind, escalated_at';
const MAX_LIST = 1000;

export interface CallRepoOptions {
  db: Database;
  now?: () => number;
}

/** Actor strings stored with events, so the log reads "who did it". */
export const actorOf = {
  user: (userId: number): string => `user:${userId}`,
  terminal: (terminalId: string): string => `terminal:${terminalId}`,
  relay: 'relay',
} as const;

export class CallRepo {
  readonly #now: () => number;
  readonly #get: Statement<[string], CallRow>;
  readonly #getByRequestId: Statement<[string], CallRow>;
  readonly #insert: Statement<[CallRow]>;
  readonly #answer: Statement<[{ id: string; at: number; userId: number }]>;
  readonly #end: Statement<[{ id: string; at: number; reason: EndReason; endedBy: CallEndedBy }]>;
  readonly #insertEvent: Statement<[string, number, string, string | null, string | null], EventRow>;
  readonly #events: Statement<[string], EventRow>;
  readonly #recent: Statement<[number], CallRow>;
  readonly #recentForTerminal: Statement<[string, number], CallRow>;
  readonly #open: Statement<[], CallRow>;
  readonly #escalate: Statement<{ id: string; at: number }>;
  readonly #db: Database;

  readonly #createOrGetTx: Transaction<(i: CreateOrGetInput) => { call: CallRecord; created: boolean }>;
  readonly #answerTx: Transaction<(i: AnswerInput) => AnswerResult>;
  readonly #endTx: Transaction<(i: EndInput) => boolean>;
  readonly #endAllOpenTx: Transaction<(i: { reason: EndReason; at: number }) => string[]>;
  readonly #createMissedTx: Transaction<(i: CreateMissedInput) => { call: CallRecord; created: boolean }>;
  readonly #createLookinTx: Transaction<(i: CreateLookinInput) => CallRecord>;
  readonly #escalateTx: Transaction<(i: { callId: string; at: number }) => boolean>;

  constructor({ db, now = Date.now }: CallRepoOptions) {
    this.#now = now;
    this.#db = db;
    this.#get = db.prepare<[string], CallRow>(`SELECT ${COLS} FROM calls WHERE id = ?`);
    this.#getByRequestId = db.prepare<[string], CallRow>(`SELECT ${COLS} FROM calls WHERE request_id = ?`);
    this.#insert = db.prepare<CallRow>(`
      INSERT INTO calls (${COLS}) VALUES (@id, @request_id, @terminal_id, @state, @created_at,
        @rang_at, @answered_at, @answered_by, @ended_at, @end_reason, @ended_by, @kind, @escalated_at)`);
    // The WHERE on state is what makes first-answer-wins atomic: only one UPDATE can match.
    this.#answer = db.prepare<{ id: string; at: number; userId: number }>(`
      UPDATE calls SET state = 'answered', answered_at = @at, answered_by = @userId
      WHERE id = @id AND state = 'ringing'`);
    this.#end = db.prepare<{ id: string; at: number; reason: EndReason; endedBy: CallEndedBy }>(`
      UPDATE calls SET state = 'ended', ended_at = @at, end_reason = @reason, ended_by = @endedBy
      WHERE id = @id AND state <> 'ended'`);
    this.#insertEvent = db.prepare<[string, number, string, string | null, string | null], EventRow>(
      `INSERT INTO call_events (call_id, at, type, actor, detail) VALUES (?, ?, ?, ?, ?)
       RETURNING id, call_id, at, type, actor, detail`,
    );
    this.#events = db.prepare<[string], EventRow>(
      'SELECT id, call_id, at, type, actor, detail FROM call_events WHERE call_id = ? ORDER BY at, id',
    );
    this.#recent = db.prepare<[number], CallRow>(
      `SELECT ${COLS} FROM calls ORDER BY created_at DESC, rowid DESC LIMIT ?`,
    );
    this.#recentForTerminal = db.prepare<[string, number], CallRow>(
      `SELECT ${COLS} FROM calls WHERE terminal_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?`,
    );
    this.#open = db.prepare<[], CallRow>(
      `SELECT ${COLS} FROM calls WHERE state <> 'ended' ORDER BY created_at, rowid`,
    );

    // Only a call still ringing can escalate, and only once.
    this.#escalate = db.prepare<{ id: string; at: number }>(`
      UPDATE calls SET escalated_at = @at WHERE id = @id AND state = 'ringing' AND escalated_at IS NULL`);
    this.#escalateTx = db.transaction(({ callId, at }: { callId: string; at: number }): boolean => {
      const changed = this.#escalate.run({ id: callId, at }).changes === 1;
      if (changed) this.#insertEvent.run(callId, at, 'escalated', actorOf.relay, null);
      else this.#mustGet(callId);
      return changed;
    });

    this.#createOrGetTx = db.transaction(({ requestId, terminalId, at, kind = 'help' }: CreateOrGetInput) => {
      const existing = this.#existingFor(requestId, terminalId);
      if (existing) return { call: existing, created: false };
      const row = this.#insertNew({ request_id: requestId, terminal_id: terminalId, state: 'ringing', created_at: at, rang_at: at, kind });
      const actor = actorOf.terminal(terminalId);
      this.#insertEvent.run(row.id, at, 'pressed', actor, JSON.stringify({ requestId, kind }));
      this.#insertEvent.run(row.id, at, 'rang', actorOf.relay, null);
      return { call: toCall(row), created: true };
    });

    this.#answerTx = db.transaction(({ callId, userId, at }: AnswerInput): AnswerResult => {
      const changed = this.#answer.run({ id: callId, at, userId }).changes === 1;
      if (changed) this.#insertEvent.run(callId, at, 'answered', actorOf.user(userId), null);
      const call = this.#mustGet(callId);
      return changed ? { ok: true, call } : { ok: false, call };
    });

    this.#endTx = db.transaction(({ callId, reason, endedBy, at, actor }: EndInput): boolean => {
      const changed = this.#end.run({ id: callId, at, reason, endedBy }).changes === 1;
      if (changed) {
        this.#insertEvent.run(
          callId,
          at,
          'ended',
          actor ?? (endedBy === 'relay' ? actorOf.relay : null),
          JSON.stringify({ reason, endedBy }),
        );
      } else {
        this.#mustGet(callId); // nothing changed: an unknown id is an error, not a silent no-op
      }
      return changed;
    });

    this.#createMissedTx = db.transaction(({ requestId, terminalId, at, pressedAt }: CreateMissedInput) => {
      const existing = this.#existingFor(requestId, terminalId);
      if (existing) return { call: existing, created: false };
      const row = this.#insertNew({
        request_id: requestId,
        terminal_id: terminalId,
        state: 'ended',
        created_at: at,
        ended_at: at,
        end_reason: 'missed',
        ended_by: 'terminal',
      });
      const actor = actorOf.terminal(terminalId);
      this.#insertEvent.run(row.id, pressedAt, 'pressed', actor, JSON.stringify({ requestId, late: true }));
      this.#insertEvent.run(row.id, at, 'ended', actor, JSON.stringify({ reason: 'missed', endedBy: 'terminal' }));
      return { call: toCall(row), created: true };
    });

    // A look-in starts answered by the officer who opened it: nobody rings.
    this.#createLookinTx = db.transaction(({ terminalId, userId, at }: CreateLookinInput) => {
      const row = this.#insertNew({
        request_id: `${LOOKIN_REQUEST_PREFIX}${randomUUID()}`,
        terminal_id: terminalId,
        state: 'answered',
        created_at: at,
        answered_at: at,
        answered_by: userId,
        kind: 'lookin',
      });
      this.#insertEvent.run(row.id, at, 'lookin', actorOf.user(userId), null);
      return toCall(row);
    });

    this.#endAllOpenTx = db.transaction(({ reason, at }: { reason: EndReason; at: number }) => {
      const ids = this.#open.all().map((r) => r.id);
      for (const id of ids) {
        this.#end.run({ id, at, reason, endedBy: 'relay' });
        this.#insertEvent.run(id, at, 'ended', actorOf.relay, JSON.stringify({ reason, endedBy: 'relay' }));
      }
      return ids;
    });
  }

  /**
   * A press delivered late from a terminal's outbox: stored already ended with reason
   * `missed` (no ringing), so officers see it in the history and call back. Idempotent
   * by requestId like createOrGet: an id the relay already knows returns that call.
   */
  createMissed(input: CreateMissedInput): { call: CallRecord; created: boolean } {
    return this.#createMissedTx.immediate(input);
  }

  /** An officer opens a terminal's camera without a call: a record already answered by them. */
  createLookin(input: CreateLookinInput): CallRecord {
    return this.#createLookinTx.immediate(input);
  }

  /**
   * Runs fn in one IMMEDIATE transaction: the repo's own writes inside it (createOrGet, addEvent …)
   * become savepoints and reach the disk with a single commit, one fsync instead of one each.
   */
  atomically<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }

  /**
   * Idempotent by requestId: a terminal that retries its help request (outbox replay,
   * reconnect) gets the same call back with created=false.
   * Throws AppError unknown_terminal (nothing is written) or DbError request_id_conflict.
   */
  createOrGet(input: CreateOrGetInput): { call: CallRecord; created: boolean } {
    // IMMEDIATE takes the write lock before the lookup, so two processes cannot both miss it.
    return this.#createOrGetTx.immediate(input);
  }

  /**
   * First answer wins; a loser gets ok=false and the current call, whose answeredBy names
   * the winner (or state 'ended' if it ended first). Throws AppError call_not_found.
   */
  answer(input: AnswerInput): AnswerResult {
    return this.#answerTx.immediate(input);
  }

  /**
   * Ends the call unless it already ended. Returns true if this call changed it; false
   * (and nothing written, first reason kept) if it had already ended.
   * Throws AppError call_not_found for an unknown id.
   */
  end(input: EndInput): boolean {
    return this.#endTx.immediate(input);
  }

  /** Marks a still-ringing call escalated (once). Returns false if it was answered, ended or already escalated. */
  escalate(input: { callId: string; at: number }): boolean {
    return this.#escalateTx.immediate(input);
  }

  /**
   * The call history: newest first, filtered by any of terminal, officer, time
   * range, end reason and disposition outcome. Values are bound, never spliced.
   */
  search(q: CallSearch): CallRecord[] {
    const filters: [string, string | number | undefined][] = [
      ['c.terminal_id = @terminalId', q.terminalId],
      ['c.answered_by = @officerId', q.officerId],
      ['c.created_at >= @from', q.from],
      ['c.created_at < @to', q.to],
      ['c.end_reason = @endReason', q.endReason],
      ['c.kind = @kind', q.kind],
      ['EXISTS (SELECT 1 FROM call_dispositions d WHERE d.call_id = c.id AND d.outcome = @outcome)', q.outcome],
    ];
    const where: string[] = [];
    const args: Record<string, string | number> = {};
    for (const [clause, value] of filters) {
      if (value === undefined) continue;
      where.push(clause);
      args[/@(\w+)/.exec(clause)![1]!] = value;
    }
    args['limit'] = Math.min(MAX_LIST, Math.max(1, Math.trunc(q.limit) || 1));
    const cols = COLS.split(', ').map((c) => `c.${c}`).join(', ');
    const sql = `SELECT ${cols} FROM calls c ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY c.created_at DESC, c.rowid DESC LIMIT @limit`;
    return this.#db.prepare<Record<string, string | number>, CallRow>(sql).all(args).map(toCall);
  }

  addEvent(
    callId: string,
    type: CallEventType,
    actor: string | null,
    detail?: unknown,
    at: number = this.#now(),
  ): CallEventRecord {
    const row = this.#insertEvent.get(callId, at, type, actor, detail == null ? null : JSON.stringify(detail));
    if (!row) throw new Error(`insert of event for call ${callId} returned no row`);
    return toEvent(row);
  }

  get(id: string): CallRecord | null {
    const row = this.#get.get(id);
    return row ? toCall(row) : null;
  }

  getByRequestId(requestId: string): CallRecord | null {
    const row = this.#getByRequestId.get(requestId);
    return row ? toCall(row) : null;
  }

  /** Newest first. */
  listRecent({ limit, terminalId }: { limit: number; terminalId?: string }): CallRecord[] {
    const n = Math.min(MAX_LIST, Math.max(1, Math.trunc(limit) || 1));
    const rows = terminalId === undefined ? this.#recent.all(n) : this.#recentForTerminal.all(terminalId, n);
    return rows.map(toCall);
  }

  /** In the order they happened. */
  events(callId: string): CallEventRecord[] {
    return this.#events.all(callId).map(toEvent);
  }

  /** Calls not yet ended, oldest first. */
  listOpen(): CallRecord[] {
    return this.#open.all().map(toCall);
  }

  /** At relay start-up: ends every call a crash left open (ended_by 'relay'); returns their ids. */
  endAllOpen({ reason, at }: { reason: EndReason; at: number }): string[] {
    return this.#endAllOpenTx.immediate({ reason, at });
  }

  /** The call already made for this press, if any; a request ID belongs to one terminal only. */
  #existingFor(requestId: string, terminalId: string): CallRecord | null {
    const existing = this.#getByRequestId.get(requestId);
    if (!existing) return null;
    if (existing.terminal_id !== terminalId) {
      // Never hand one terminal another's call.
      throw new DbError('request_id_conflict', `request ${requestId} already belongs to terminal ${existing.terminal_id}, not ${terminalId}`);
    }
    return toCall(existing);
  }

  /** Inserts a new call: the fields given, a fresh id, and nothing else set yet. */
  #insertNew(fields: Pick<CallRow, 'request_id' | 'terminal_id' | 'state' | 'created_at'> & Partial<CallRow>): CallRow {
    const row: CallRow = {
      id: randomUUID(),
      rang_at: null,
      answered_at: null,
      answered_by: null,
      ended_at: null,
      end_reason: null,
      ended_by: null,
      kind: 'help',
      escalated_at: null,
      ...fields,
    };
    try {
      this.#insert.run(row);
    } catch (err) {
      if (sqliteCode(err) === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw new AppError(ErrorCode.UnknownTerminal, `no terminal with id ${row.terminal_id}`);
      throw err;
    }
    return row;
  }

  #mustGet(id: string): CallRecord {
    const row = this.#get.get(id);
    if (!row) throw new AppError(ErrorCode.CallNotFound, `no call with id ${id}`);
    return toCall(row);
  }
}

export interface CreateOrGetInput {
  requestId: string;
  terminalId: string;
  at: number;
  /** Defaults to 'help'. */
  kind?: CallKind;
}

export interface CallSearch {
  limit: number;
  terminalId?: string;
  officerId?: number;
  /** created_at range, ms since the epoch; `to` is exclusive. */
  from?: number;
  to?: number;
  endReason?: EndReason;
  outcome?: string;
  kind?: CallRecordKind;
}

export interface CreateLookinInput {
  terminalId: string;
  /** The officer looking in. */
  userId: number;
  at: number;
}

export interface CreateMissedInput extends CreateOrGetInput {
  /** When the resident pressed, by the terminal's clock. */
  pressedAt: number;
}

export interface AnswerInput {
  callId: string;
  userId: number;
  at: number;
}

export interface EndInput {
  callId: string;
  reason: EndReason;
  endedBy: CallEndedBy;
  at: number;
  /** Who, for the event log, e.g. actorOf.user(7); defaults to 'relay' when endedBy is 'relay'. */
  actor?: string | null;
}

function toCall(r: CallRow): CallRecord {
  return {
    id: r.id,
    requestId: r.request_id,
    terminalId: r.terminal_id,
    state: r.state,
    createdAt: r.created_at,
    rangAt: r.rang_at,
    answeredAt: r.answered_at,
    answeredBy: r.answered_by,
    endedAt: r.ended_at,
    endReason: r.end_reason,
    endedBy: r.ended_by,
    kind: r.kind,
    escalatedAt: r.escalated_at,
  };
}

function toEvent(r: EventRow): CallEventRecord {
  return { id: r.id, callId: r.call_id, at: r.at, type: r.type, actor: r.actor, detail: parseDetail(r.detail) };
}

function parseDetail(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
