import type { Database, Statement } from 'better-sqlite3';

export interface EnrolmentCodeRecord {
  id: number;
  codeHash: string;
  terminalId: string;
  createdBy: number | null;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
  cancelledAt: number | null;
}

interface CodeRow {
  id: number;
  code_hash: string;
  terminal_id: string;
  created_by: number | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  cancelled_at: number | null;
}

const COLS = 'id, code_hash, terminal_id, created_by, created_at, expires_at, used_at, cancelled_at';

/** One-time enrolment codes, stored only as hashes. */
export class EnrolmentCodeRepo {
  readonly #insert: Statement<[Omit<CodeRow, 'id' | 'used_at' | 'cancelled_at'>], CodeRow>;
  readonly #byHash: Statement<[string], CodeRow>;
  readonly #cancelOpen: Statement<[number, string]>;
  readonly #markUsed: Statement<[number, number]>;
  readonly #pending: Statement<[string, number], CodeRow>;

  constructor({ db }: { db: Database }) {
    this.#insert = db.prepare(`
      INSERT INTO enrolment_codes (code_hash, terminal_id, created_by, created_at, expires_at)
      VALUES (@code_hash, @terminal_id, @created_by, @created_at, @expires_at) RETURNING ${COLS}`);
    this.#byHash = db.prepare<[string], CodeRow>(`SELECT ${COLS} FROM enrolment_codes WHERE code_hash = ?`);
    this.#cancelOpen = db.prepare<[number, string]>(
      'UPDATE enrolment_codes SET cancelled_at = ? WHERE terminal_id = ? AND used_at IS NULL AND cancelled_at IS NULL',
    );
    this.#markUsed = db.prepare<[number, number]>('UPDATE enrolment_codes SET used_at = ? WHERE id = ? AND used_at IS NULL');
    this.#pending = db.prepare<[string, number], CodeRow>(`
      SELECT ${COLS} FROM enrolment_codes
      WHERE terminal_id = ? AND used_at IS NULL AND cancelled_at IS NULL AND expires_at > ?
      ORDER BY id DESC LIMIT 1`);
  }

  /** Adds a code and cancels the terminal's earlier unused ones, so only the newest works. */
  insert(input: { codeHash: string; terminalId: string; createdBy: number | null; createdAt: number; expiresAt: number }): EnrolmentCodeRecord {
    this.#cancelOpen.run(input.createdAt, input.terminalId);
    const row = this.#insert.get({
      code_hash: input.codeHash,
      terminal_id: input.terminalId,
      created_by: input.createdBy,
      created_at: input.createdAt,
      expires_at: input.expiresAt,
    });
    if (!row) throw new Error('enrolment code insert returned no row');
    return toRecord(row);
  }

  byHash(codeHash: string): EnrolmentCodeRecord | null {
    const row = this.#byHash.get(codeHash);
    return row ? toRecord(row) : null;
  }

  /** False when the code was used meanwhile (another request won the race). */
  markUsed(id: number, at: number): boolean {
    return this.#markUsed.run(at, id).changes === 1;
  }

  pendingFor(terminalId: string, now: number): EnrolmentCodeRecord | null {
    const row = this.#pending.get(terminalId, now);
    return row ? toRecord(row) : null;
  }
}

function toRecord(r: CodeRow): EnrolmentCodeRecord {
  return {
    id: r.id,
    codeHash: r.code_hash,
    terminalId: r.terminal_id,
    createdBy: r.created_by,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    usedAt: r.used_at,
    cancelledAt: r.cancelled_at,
  };
}
