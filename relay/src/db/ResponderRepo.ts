import type { Database, Statement } from 'better-sqlite3';
import type { ResponderKind } from '@helppoint/shared';

export interface ResponderRecord {
  userId: number;
  username: string;
  displayName: string;
  disabled: boolean;
  unitName: string;
  kind: ResponderKind;
  onDuty: boolean;
  dutyChangedAt: number | null;
  /** Only while on duty. */
  position: { latitude: number; longitude: number; accuracyM: number | null; at: number } | null;
}

interface Row {
  user_id: number;
  username: string;
  display_name: string;
  disabled: number;
  unit_name: string;
  kind: ResponderKind;
  on_duty: number;
  duty_changed_at: number | null;
  latitude: number | null;
  longitude: number | null;
  accuracy_m: number | null;
  position_at: number | null;
}

const SELECT = `SELECT r.user_id, u.username, u.display_name, u.disabled, r.unit_name, r.kind, r.on_duty, r.duty_changed_at,
  r.latitude, r.longitude, r.accuracy_m, r.position_at
  FROM responders r JOIN users u ON u.id = r.user_id`;

/**
 * Responder profiles (unit, kind), duty state and positions. A position is
 * personal data: it is stored only while the responder is on duty, going off
 * duty clears the current one, and history older than the retention period
 * is deleted by deleteOlderThan.
 */
export class ResponderRepo {
  readonly #upsert: Statement<[{ user_id: number; unit_name: string; kind: ResponderKind }]>;
  readonly #get: Statement<[number], Row>;
  readonly #list: Statement<[], Row>;
  readonly #setDuty: Statement<[{ id: number; on: number; at: number }]>;
  readonly #setPosition: Statement<[{ id: number; lat: number; lon: number; acc: number | null; at: number }]>;
  readonly #addPosition: Statement<[{ id: number; lat: number; lon: number; acc: number | null; at: number }]>;
  readonly #history: Statement<[number, number, number], { at: number; latitude: number; longitude: number; accuracy_m: number | null }>;
  readonly #deleteOld: Statement<[number]>;
  readonly #db: Database;

  constructor({ db }: { db: Database }) {
    this.#db = db;
    this.#upsert = db.prepare(`INSERT INTO responders (user_id, unit_name, kind) VALUES (@user_id, @unit_name, @kind)
      ON CONFLICT (user_id) DO UPDATE SET unit_name = excluded.unit_name, kind = excluded.kind`);
    this.#get = db.prepare<[number], Row>(`${SELECT} WHERE r.user_id = ?`);
    this.#list = db.prepare<[], Row>(`${SELECT} ORDER BY r.unit_name, u.username`);
    // Off duty: the last position goes too (the CHECK in the table insists).
    this.#setDuty = db.prepare(`UPDATE responders SET on_duty = @on, duty_changed_at = @at,
      latitude = CASE WHEN @on = 1 THEN latitude ELSE NULL END,
      longitude = CASE WHEN @on = 1 THEN longitude ELSE NULL END,
      accuracy_m = CASE WHEN @on = 1 THEN accuracy_m ELSE NULL END,
      position_at = CASE WHEN @on = 1 THEN position_at ELSE NULL END
      WHERE user_id = @id`);
    this.#setPosition = db.prepare(`UPDATE responders SET latitude = @lat, longitude = @lon, accuracy_m = @acc, position_at = @at
      WHERE user_id = @id AND on_duty = 1`);
    this.#addPosition = db.prepare(`INSERT INTO responder_positions (user_id, at, latitude, longitude, accuracy_m) VALUES (@id, @at, @lat, @lon, @acc)`);
    this.#history = db.prepare(`SELECT at, latitude, longitude, accuracy_m FROM responder_positions WHERE user_id = ? AND at BETWEEN ? AND ? ORDER BY at`);
    this.#deleteOld = db.prepare('DELETE FROM responder_positions WHERE at < ?');
  }

  setProfile(userId: number, unitName: string, kind: ResponderKind): ResponderRecord {
    this.#upsert.run({ user_id: userId, unit_name: unitName, kind });
    return this.get(userId)!;
  }

  get(userId: number): ResponderRecord | null {
    const row = this.#get.get(userId);
    return row ? toRecord(row) : null;
  }

  list(): ResponderRecord[] {
    return this.#list.all().map(toRecord);
  }

  setDuty(userId: number, onDuty: boolean, at: number): boolean {
    return this.#setDuty.run({ id: userId, on: onDuty ? 1 : 0, at }).changes === 1;
  }

  /** Stores the position only if the responder is on duty (one transaction: current + history). */
  recordPosition(userId: number, p: { latitude: number; longitude: number; accuracyM: number | null; at: number }): boolean {
    return this.#db.transaction(() => {
      const args = { id: userId, lat: p.latitude, lon: p.longitude, acc: p.accuracyM, at: p.at };
      if (this.#setPosition.run(args).changes !== 1) return false;
      this.#addPosition.run(args);
      return true;
    }).immediate();
  }

  history(userId: number, from: number, to: number): { at: number; latitude: number; longitude: number; accuracyM: number | null }[] {
    return this.#history.all(userId, from, to).map((r) => ({ at: r.at, latitude: r.latitude, longitude: r.longitude, accuracyM: r.accuracy_m }));
  }

  /** Retention: returns how many history rows were deleted. */
  deleteOlderThan(cutoff: number): number {
    return this.#deleteOld.run(cutoff).changes;
  }
}

function toRecord(r: Row): ResponderRecord {
  return {
    userId: r.user_id,
    username: r.username,
    displayName: r.display_name,
    disabled: r.disabled !== 0,
    unitName: r.unit_name,
    kind: r.kind,
    onDuty: r.on_duty === 1,
    dutyChangedAt: r.duty_changed_at,
    position:
      r.latitude !== null && r.longitude !== null && r.position_at !== null
        ? { latitude: r.latitude, longitude: r.longitude, accuracyM: r.accuracy_m, at: r.position_at }
        : null,
  };
}
