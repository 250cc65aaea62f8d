import type { Database, Statement } from 'better-sqlite3';
import { AppError, ErrorCode, type IncidentType, type Outcome } from '@helppoint/shared';
import { sqliteCode } from './DbError.ts';

export interface DispositionRecord {
  callId: string;
  incidentType: IncidentType;
  outcome: Outcome;
  notes: string;
  dispatched: boolean;
  recordedBy: number;
  recordedAt: number;
}

interface Row {
  call_id: string;
  incident_type: IncidentType;
  outcome: Outcome;
  notes: string;
  dispatched: number;
  recorded_by: number;
  recorded_at: number;
}

/** The officer's record of what a call was about and what was done. One per call; saving again replaces it. */
export class DispositionRepo {
  readonly #get: Statement<[string], Row>;
  readonly #upsert: Statement<[Row]>;

  constructor({ db }: { db: Database }) {
    this.#get = db.prepare<[string], Row>('SELECT * FROM call_dispositions WHERE call_id = ?');
    this.#upsert = db.prepare<Row>(`
      INSERT INTO call_dispositions (call_id, incident_type, outcome, notes, dispatched, recorded_by, recorded_at)
      VALUES (@call_id, @incident_type, @outcome, @notes, @dispatched, @recorded_by, @recorded_at)
      ON CONFLICT (call_id) DO UPDATE SET incident_type = excluded.incident_type, outcome = excluded.outcome,
        notes = excluded.notes, dispatched = excluded.dispatched, recorded_by = excluded.recorded_by,
        recorded_at = excluded.recorded_at`);
  }

  get(callId: string): DispositionRecord | null {
    const r = this.#get.get(callId);
    return r ? toRecord(r) : null;
  }

  /** Throws call_not_found for an unknown call; the caller has checked the values against the schema. */
  save(d: DispositionRecord): DispositionRecord {
    try {
      this.#upsert.run({
        call_id: d.callId,
        incident_type: d.incidentType,
        outcome: d.outcome,
        notes: d.notes,
        dispatched: d.dispatched ? 1 : 0,
        recorded_by: d.recordedBy,
        recorded_at: d.recordedAt,
      });
    } catch (err) {
      if (sqliteCode(err) === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw new AppError(ErrorCode.CallNotFound, `no call ${d.callId}`);
      throw err;
    }
    return d;
  }
}

function toRecord(r: Row): DispositionRecord {
  return {
    callId: r.call_id,
    incidentType: r.incident_type,
    outcome: r.outcome,
    notes: r.notes,
    dispatched: r.dispatched === 1,
    recordedBy: r.recorded_by,
    recordedAt: r.recorded_at,
  };
}
