import type { Database, Statement } from 'better-sqlite3';

export type EnrolmentState = 'unenrolled' | 'enrolled' | 'revoked';

/** A terminal's device identity: only ever the public half of its key. */
export interface TerminalKey {
  terminalId: string;
  state: EnrolmentState;
  /** Raw 32-byte Ed25519 public key, base64; null before enrolment. */
  publicKey: string | null;
  keyFingerprint: string | null;
  enrolledAt: number | null;
  revokedAt: number | null;
}

interface KeyRow {
  id: string;
  public_key: string | null;
  key_fingerprint: string | null;
  enrolled_at: number | null;
  revoked_at: number | null;
}

const COLS = 'id, public_key, key_fingerprint, enrolled_at, revoked_at';

export class TerminalKeyRepo {
  readonly #get: Statement<[string], KeyRow>;
  readonly #list: Statement<[], KeyRow>;
  readonly #byKey: Statement<[string], KeyRow>;
  readonly #setKey: Statement<[{ id: string; public_key: string; key_fingerprint: string; at: number }]>;
  readonly #revoke: Statement<[number, string]>;

  constructor({ db }: { db: Database }) {
    this.#get = db.prepare<[string], KeyRow>(`SELECT ${COLS} FROM terminals WHERE id = ?`);
    this.#list = db.prepare<[], KeyRow>(`SELECT ${COLS} FROM terminals ORDER BY id`);
    this.#byKey = db.prepare<[string], KeyRow>(`SELECT ${COLS} FROM terminals WHERE public_key = ?`);
    this.#setKey = db.prepare(`
      UPDATE terminals SET public_key = @public_key, key_fingerprint = @key_fingerprint,
        enrolled_at = @at, revoked_at = NULL, updated_at = @at
      WHERE id = @id`);
    this.#revoke = db.prepare<[number, string]>(
      'UPDATE terminals SET revoked_at = ? WHERE id = ? AND public_key IS NOT NULL AND revoked_at IS NULL',
    );
  }

  /** null when no such terminal is registered. */
  get(terminalId: string): TerminalKey | null {
    const row = this.#get.get(terminalId);
    return row ? toKey(row) : null;
  }

  /** The terminal a key is bound to, if any: one Pi must not speak for two locations. */
  byPublicKey(publicKey: string): TerminalKey | null {
    const row = this.#byKey.get(publicKey);
    return row ? toKey(row) : null;
  }

  list(): TerminalKey[] {
    return this.#list.all().map(toKey);
  }

  /** Binds a (new) key to the terminal and lifts any revocation; the previous key stops working. */
  setKey(terminalId: string, publicKey: string, fingerprint: string, at: number): boolean {
    return this.#setKey.run({ id: terminalId, public_key: publicKey, key_fingerprint: fingerprint, at }).changes === 1;
  }

  /** True when an enrolled, not yet revoked terminal was revoked now. */
  revoke(terminalId: string, at: number): boolean {
    return this.#revoke.run(at, terminalId).changes === 1;
  }
}

function toKey(r: KeyRow): TerminalKey {
  return {
    terminalId: r.id,
    state: r.public_key === null ? 'unenrolled' : r.revoked_at !== null ? 'revoked' : 'enrolled',
    publicKey: r.public_key,
    keyFingerprint: r.key_fingerprint,
    enrolledAt: r.enrolled_at,
    revokedAt: r.revoked_at,
  };
}
