import type { Database, Statement } from 'better-sqlite3';

export const TERMINAL_KINDS = ['school', 'kindergarten', 'hutong', 'other'] as const;
export type TerminalKind = (typeof TERMINAL_KINDS)[number];

export const DEFAULT_DISTRICT = '西城区';

/** One fixed help-point location, as shown to the officer when it calls. */
export interface TerminalRecord {
  /** Fixed location ID painted on the terminal, e.g. XC-SCH-001. */
  id: string;
  /** Chinese place name, e.g. 前海北沿小学 东门. */
  name: string;
  /** '' when not given. */
  nameEn: string;
  /** Chinese street address. */
  address: string;
  /** '' when not given. */
  hutong: string;
  district: string;
  /** WGS84. */
  latitude: number;
  longitude: number;
  kind: TerminalKind;
  /** Short placement notes for the officer, e.g. 东门外，立杆高1.6米; '' when none. */
  notes: string;
  createdAt: number;
  updatedAt: number;
}

/** Full description of a location; upsert replaces every field (omitted optional ones become ''/default). */
export interface TerminalInput {
  id: string;
  name: string;
  nameEn?: string;
  address: string;
  hutong?: string;
  district?: string;
  latitude: number;
  longitude: number;
  kind: TerminalKind;
  notes?: string;
}

interface TerminalRow {
  id: string;
  name: string;
  name_en: string;
  address: string;
  hutong: string;
  district: string;
  latitude: number;
  longitude: number;
  kind: TerminalKind;
  notes: string;
  created_at: number;
  updated_at: number;
}

interface UpsertParams {
  id: string;
  name: string;
  name_en: string;
  address: string;
  hutong: string;
  district: string;
  latitude: number;
  longitude: number;
  kind: TerminalKind;
  notes: string;
  now: number;
}

const COLUMNS =
  'id, name, name_en, address, hutong, district, latitude, longitude, kind, notes, created_at, updated_at';

export interface TerminalRepoOptions {
  db: Database;
  now?: () => number;
}

export class TerminalRepo {
  readonly #now: () => number;
  readonly #list: Statement<[], TerminalRow>;
  readonly #get: Statement<[string], TerminalRow>;
  readonly #upsert: Statement<[UpsertParams], TerminalRow>;
  readonly #count: Statement<[], { n: number }>;

  constructor({ db, now = Date.now }: TerminalRepoOptions) {
    this.#now = now;
    this.#list = db.prepare<[], TerminalRow>(`SELECT ${COLUMNS} FROM terminals ORDER BY id`);
    this.#get = db.prepare<[string], TerminalRow>(`SELECT ${COLUMNS} FROM terminals WHERE id = ?`);
    this.#upsert = db.prepare<UpsertParams, TerminalRow>(`
      INSERT INTO terminals (id, name, name_en, address, hutong, district, latitude, longitude,
                             kind, notes, created_at, updated_at)
      VALUES (@id, @name, @name_en, @address, @hutong, @district, @latitude, @longitude,
              @kind, @notes, @now, @now)
      ON CONFLICT (id) DO UPDATE SET
        name = excluded.name, name_en = excluded.name_en, address = excluded.address,
        hutong = excluded.hutong, district = excluded.district, latitude = excluded.latitude,
        longitude = excluded.longitude, kind = excluded.kind, notes = excluded.notes,
        updated_at = excluded.updated_at
      RETURNING ${COLUMNS}`);
    this.#count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM terminals');
  }

  list(): TerminalRecord[] {
    return this.#list.all().map(toRecord);
  }

  get(id: string): TerminalRecord | null {
    const row = this.#get.get(id);
    return row ? toRecord(row) : null;
  }

  /** Inserts a new location or replaces an existing one's details; created_at is kept. */
  upsert(terminal: TerminalInput): TerminalRecord {
    const row = this.#upsert.get({
      id: terminal.id,
      name: terminal.name,
      name_en: terminal.nameEn ?? '',
      address: terminal.address,
      hutong: terminal.hutong ?? '',
      district: terminal.district ?? DEFAULT_DISTRICT,
      latitude: terminal.latitude,
      longitude: terminal.longitude,
      kind: terminal.kind,
      notes: terminal.notes ?? '',
      now: this.#now(),
    });
    if (!row) throw new Error(`upsert of terminal ${terminal.id} returned no row`);
    return toRecord(row);
  }

  count(): number {
    return this.#count.get()?.n ?? 0;
  }
}

function toRecord(r: TerminalRow): TerminalRecord {
  return {
    id: r.id,
    name: r.name,
    nameEn: r.name_en,
    address: r.address,
    hutong: r.hutong,
    district: r.district,
    latitude: r.latitude,
    longitude: r.longitude,
    kind: r.kind,
    notes: r.notes,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
