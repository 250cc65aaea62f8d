import type { Database, Statement } from 'better-sqlite3';
import type { DistrictCallEvent } from '../../../shared/src/protocol/district.ts';

/** The district relay's record of station call events, applied at most once each. */
export class DistrictCallLog {
  readonly #insert: Statement<[{ id: string; station: string; call_id: string; type: string; at: number; received_at: number; payload: string }]>;
  readonly #since: Statement<[number], { payload: string }>;
  readonly #countFor: Statement<[string, string], { type: string; n: number }>;

  constructor({ db }: { db: Database }) {
    this.#insert = db.prepare(
      'INSERT OR IGNORE INTO district_call_events (id, station, call_id, type, at, received_at, payload) VALUES (@id, @station, @call_id, @type, @at, @received_at, @payload)',
    );
    this.#since = db.prepare('SELECT payload FROM district_call_events WHERE received_at >= ? ORDER BY received_at, rowid');
    this.#countFor = db.prepare('SELECT type, count(*) AS n FROM district_call_events WHERE station = ? AND call_id = ? GROUP BY type');
  }

  /** True the first time this event is seen; a redelivered one is ignored. */
  apply(ev: DistrictCallEvent, receivedAt = Date.now()): boolean {
    return this.#insert.run({ id: `${ev.station}/${ev.id}`, station: ev.station, call_id: ev.callId, type: ev.type, at: ev.at, received_at: receivedAt, payload: JSON.stringify(ev) }).changes > 0;
  }

  since(at: number): DistrictCallEvent[] {
    return this.#since.all(at).map((r) => JSON.parse(r.payload) as DistrictCallEvent);
  }

  eventCounts(station: string, callId: string): Record<string, number> {
    return Object.fromEntries(this.#countFor.all(station, callId).map((r) => [r.type, r.n]));
  }
}
