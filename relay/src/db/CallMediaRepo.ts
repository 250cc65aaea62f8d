import type { Database, Statement } from 'better-sqlite3';

export type CallMediaKind = 'snapshot' | 'recording';

export interface CallMediaRecord {
  id: number;
  callId: string;
  kind: CallMediaKind;
  /** Path relative to the relay's media directory. */
  file: string;
  mime: string;
  bytes: number;
  createdAt: number;
  /** A recording is finished when its ffmpeg exits; snapshots are finished at once. */
  finishedAt: number | null;
  takenBy: number | null;
  /** Retention removed the file; the row stays so the history says it existed. */
  deletedAt: number | null;
}

interface Row {
  id: number;
  call_id: string;
  kind: CallMediaKind;
  file: string;
  mime: string;
  bytes: number;
  created_at: number;
  finished_at: number | null;
  taken_by: number | null;
  deleted_at: number | null;
}

/** Snapshots and recordings kept as evidence with each call. */
export class CallMediaRepo {
  readonly #insert: Statement<[Omit<Row, 'id'>], Row>;
  readonly #finish: Statement<[number, number, number]>;
  readonly #byCall: Statement<[string], Row>;
  readonly #get: Statement<[number], Row>;
  readonly #expired: Statement<[number], Row>;
  readonly #markDeleted: Statement<[number, number]>;

  constructor({ db }: { db: Database }) {
    this.#insert = db.prepare<Omit<Row, 'id'>, Row>(`
      INSERT INTO call_media (call_id, kind, file, mime, bytes, created_at, finished_at, taken_by, deleted_at)
      VALUES (@call_id, @kind, @file, @mime, @bytes, @created_at, @finished_at, @taken_by, @deleted_at) RETURNING *`);
    this.#finish = db.prepare<[number, number, number]>('UPDATE call_media SET bytes = ?, finished_at = ? WHERE id = ?');
    this.#byCall = db.prepare<[string], Row>('SELECT * FROM call_media WHERE call_id = ? ORDER BY created_at, id');
    this.#get = db.prepare<[number], Row>('SELECT * FROM call_media WHERE id = ?');
    this.#expired = db.prepare<[number], Row>('SELECT * FROM call_media WHERE created_at < ? AND deleted_at IS NULL ORDER BY id');
    this.#markDeleted = db.prepare<[number, number]>('UPDATE call_media SET deleted_at = ? WHERE id = ?');
  }

  add(m: { callId: string; kind: CallMediaKind; file: string; mime: string; bytes: number; createdAt: number; finishedAt: number | null; takenBy: number | null }): CallMediaRecord {
    const row = this.#insert.get({
      call_id: m.callId,
      kind: m.kind,
      file: m.file,
      mime: m.mime,
      bytes: m.bytes,
      created_at: m.createdAt,
      finished_at: m.finishedAt,
      taken_by: m.takenBy,
      deleted_at: null,
    });
    if (!row) throw new Error('insert into call_media returned no row');
    return toRecord(row);
  }

  finish(id: number, bytes: number, at: number): void {
    this.#finish.run(bytes, at, id);
  }

  get(id: number): CallMediaRecord | null {
    const r = this.#get.get(id);
    return r ? toRecord(r) : null;
  }

  forCall(callId: string): CallMediaRecord[] {
    return this.#byCall.all(callId).map(toRecord);
  }

  /** Files made before `before` and not yet removed, for the retention sweep. */
  expired(before: number): CallMediaRecord[] {
    return this.#expired.all(before).map(toRecord);
  }

  markDeleted(id: number, at: number): void {
    this.#markDeleted.run(at, id);
  }
}

function toRecord(r: Row): CallMediaRecord {
  return {
    id: r.id,
    callId: r.call_id,
    kind: r.kind,
    file: r.file,
    mime: r.mime,
    bytes: r.bytes,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    takenBy: r.taken_by,
    deletedAt: r.deleted_at,
  };
}
