import type { Database, Statement } from 'better-sqlite3';
import { AppError, ErrorCode, type DispatchStatus } from '@helppoint/shared';
import { sqliteCode } from './DbError.ts';

export interface DispatchRecord {
  id: number;
  callId: string;
  responderId: number;
  dispatchedBy: number;
  status: DispatchStatus;
  distanceM: number | null;
  dispatchedAt: number;
  acceptedAt: number | null;
  enRouteAt: number | null;
  onSceneAt: number | null;
  doneAt: number | null;
  refusedAt: number | null;
  cancelledAt: number | null;
  escalatedAt: number | null;
  note: string;
  refuseReason: string;
}

interface Row {
  id: number;
  call_id: string;
  responder_id: number;
  dispatched_by: number;
  status: DispatchStatus;
  distance_m: number | null;
  dispatched_at: number;
  accepted_at: number | null;
  en_route_at: number | null;
  on_scene_at: number | null;
  done_at: number | null;
  refused_at: number | null;
  cancelled_at: number | null;
  escalated_at: number | null;
  note: string;
  refuse_reason: string;
}

const OPEN = "('assigned', 'accepted', 'en_route', 'on_scene')";
/** The column each status stamps. */
const STAMP: Record<Exclude<DispatchStatus, 'assigned'>, string> = {
  accepted: 'accepted_at',
  en_route: 'en_route_at',
  on_scene: 'on_scene_at',
  done: 'done_at',
  refused: 'refused_at',
  cancelled: 'cancelled_at',
};
/** Which statuses a job may move from to each status (skipping en route is allowed: the unit was next door). */
export const ALLOWED_FROM: Record<Exclude<DispatchStatus, 'assigned'>, readonly DispatchStatus[]> = {
  accepted: ['assigned'],
  en_route: ['accepted'],
  on_scene: ['accepted', 'en_route'],
  done: ['on_scene'],
  refused: ['assigned', 'accepted', 'en_route'],
  cancelled: ['assigned', 'accepted', 'en_route', 'on_scene'],
};

/** Dispatches of responders to calls, each status change timestamped; SQL only here. */
export class DispatchRepo {
  readonly #insert: Statement<[{ call_id: string; responder_id: number; dispatched_by: number; distance_m: number | null; at: number }], Row>;
  readonly #get: Statement<[number], Row>;
  readonly #forCall: Statement<[string], Row>;
  readonly #openOf: Statement<[number], Row>;
  readonly #open: Statement<[], Row>;
  readonly #since: Statement<[number], Row>;
  readonly #escalate: Statement<[number, number]>;
  readonly #transition = new Map<string, Statement<[{ id: number; at: number; note: string; reason: string }]>>();
  readonly #db: Database;

  constructor({ db }: { db: Database }) {
    this.#db = db;
    this.#insert = db.prepare(`INSERT INTO dispatches (call_id, responder_id, dispatched_by, status, distance_m, dispatched_at)
      VALUES (@call_id, @responder_id, @dispatched_by, 'assigned', @distance_m, @at) RETURNING *`);
    this.#get = db.prepare<[number], Row>('SELECT * FROM dispatches WHERE id = ?');
    this.#forCall = db.prepare<[string], Row>('SELECT * FROM dispatches WHERE call_id = ? ORDER BY id');
    this.#openOf = db.prepare<[number], Row>(`SELECT * FROM dispatches WHERE responder_id = ? AND status IN ${OPEN} ORDER BY id`);
    this.#open = db.prepare<[], Row>(`SELECT * FROM dispatches WHERE status IN ${OPEN} ORDER BY id`);
    this.#since = db.prepare<[number], Row>('SELECT * FROM dispatches WHERE dispatched_at >= ? ORDER BY id');
    this.#escalate = db.prepare<[number, number]>("UPDATE dispatches SET escalated_at = ? WHERE id = ? AND status = 'assigned' AND escalated_at IS NULL");
    for (const [status, col] of Object.entries(STAMP)) {
      const from = ALLOWED_FROM[status as keyof typeof STAMP].map((s) => `'${s}'`).join(', ');
      this.#transition.set(
        status,
        db.prepare(`UPDATE dispatches SET status = '${status}', ${col} = @at,
          note = CASE WHEN '${status}' = 'done' THEN @note ELSE note END,
          refuse_reason = CASE WHEN '${status}' = 'refused' THEN @reason ELSE refuse_reason END
          WHERE id = @id AND status IN (${from})`),
      );
    }
  }

  /** Throws already_dispatched when the responder already has an open job on this call. */
  create(input: { callId: string; responderId: number; dispatchedBy: number; distanceM: number | null; at: number }): DispatchRecord {
    try {
      const row = this.#insert.get({ call_id: input.callId, responder_id: input.responderId, dispatched_by: input.dispatchedBy, distance_m: input.distanceM, at: input.at });
      if (!row) throw new Error('insert returned no row');
      return toRecord(row);
    } catch (error) {
      if (sqliteCode(error) === 'SQLITE_CONSTRAINT_UNIQUE') throw new AppError(ErrorCode.AlreadyDispatched, 'that responder is already on this call');
      throw error;
    }
  }

  /** Several at once, all or none. */
  createMany(inputs: Parameters<DispatchRepo['create']>[0][]): DispatchRecord[] {
    return this.#db.transaction(() => inputs.map((i) => this.create(i))).immediate();
  }

  get(id: number): DispatchRecord | null {
    const row = this.#get.get(id);
    return row ? toRecord(row) : null;
  }

  forCall(callId: string): DispatchRecord[] {
    return this.#forCall.all(callId).map(toRecord);
  }

  openOf(responderId: number): DispatchRecord[] {
    return this.#openOf.all(responderId).map(toRecord);
  }

  open(): DispatchRecord[] {
    return this.#open.all().map(toRecord);
  }

  since(at: number): DispatchRecord[] {
    return this.#since.all(at).map(toRecord);
  }

  /** Moves a job to `status` if allowed from where it is; false when it was not. */
  transition(id: number, status: Exclude<DispatchStatus, 'assigned'>, at: number, extra: { note?: string; reason?: string } = {}): boolean {
    return this.#transition.get(status)!.run({ id, at, note: extra.note ?? '', reason: extra.reason ?? '' }).changes === 1;
  }

  escalate(id: number, at: number): boolean {
    return this.#escalate.run(at, id).changes === 1;
  }
}

function toRecord(r: Row): DispatchRecord {
  return {
    id: r.id,
    callId: r.call_id,
    responderId: r.responder_id,
    dispatchedBy: r.dispatched_by,
    status: r.status,
    distanceM: r.distance_m,
    dispatchedAt: r.dispatched_at,
    acceptedAt: r.accepted_at,
    enRouteAt: r.en_route_at,
    onSceneAt: r.on_scene_at,
    doneAt: r.done_at,
    refusedAt: r.refused_at,
    cancelledAt: r.cancelled_at,
    escalatedAt: r.escalated_at,
    note: r.note,
    refuseReason: r.refuse_reason,
  };
}

/** One call's milestones for the response-time report. */
export interface ResponseTimeRow {
  callId: string;
  terminalId: string;
  /** When the resident pressed: the terminal's pressed event (late deliveries) or when the call was created. */
  pressedAt: number;
  answeredAt: number | null;
  firstDispatchAt: number | null;
  firstOnSceneAt: number | null;
}

/** The report's SQL: calls (not look-ins) created in [from, to), optionally of one terminal. */
export class ResponseTimeRepo {
  readonly #all: Statement<[number, number], Record<string, unknown>>;
  readonly #one: Statement<[number, number, string], Record<string, unknown>>;
  constructor({ db }: { db: Database }) {
    const sql = (extra: string) => `SELECT c.id, c.terminal_id, c.created_at, c.answered_at,
        (SELECT min(e.at) FROM call_events e WHERE e.call_id = c.id AND e.type = 'pressed') AS pressed_at,
        (SELECT min(d.dispatched_at) FROM dispatches d WHERE d.call_id = c.id) AS dispatched_at,
        (SELECT min(d.on_scene_at) FROM dispatches d WHERE d.call_id = c.id) AS on_scene_at
      FROM calls c WHERE c.created_at >= ? AND c.created_at < ? AND c.kind <> 'lookin' AND c.request_id NOT LIKE 'lookin:%' ${extra}
      ORDER BY c.created_at`;
    this.#all = db.prepare(sql(''));
    this.#one = db.prepare(sql('AND c.terminal_id = ?'));
  }

  rows(from: number, to: number, terminalId?: string): ResponseTimeRow[] {
    const raw = terminalId === undefined ? this.#all.all(from, to) : this.#one.all(from, to, terminalId);
    return raw.map((r) => ({
      callId: r['id'] as string,
      terminalId: r['terminal_id'] as string,
      pressedAt: Math.min((r['pressed_at'] as number | null) ?? (r['created_at'] as number), r['created_at'] as number),
      answeredAt: r['answered_at'] as number | null,
      firstDispatchAt: r['dispatched_at'] as number | null,
      firstOnSceneAt: r['on_scene_at'] as number | null,
    }));
  }
}
