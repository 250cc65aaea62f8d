import type { Database, Statement } from 'better-sqlite3';
import { DbError, sqliteCode } from './DbError.ts';
import { hashPassword, verifyPasswordHash } from './passwordHash.ts';

export const USER_ROLES = ['officer', 'supervisor', 'technician', 'field', 'admin', 'responder'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** A user as the rest of the relay sees it; the password hash never leaves this file. */
export interface UserRecord {
  id: number;
  username: string;
  displayName: string;
  role: UserRole;
  disabled: boolean;
  createdAt: number;
}

export interface CreateUserInput {
  username: string;
  displayName: string;
  role: UserRole;
  password: string;
}

/** Row shape shared with SessionRepo's join. */
export interface UserRow {
  id: number;
  username: string;
  display_name: string;
  role: UserRole;
  disabled: number;
  created_at: number;
}

interface UserRowWithHash extends UserRow {
  password_hash: string;
}

const COLS = 'id, username, display_name, role, disabled, created_at';

// Verified against when the username is unknown, so "no such user" takes as long as
// "wrong password" and login timing does not reveal which usernames exist.
const DUMMY_HASH = `scrypt$16384$8$1$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(32).toString('base64')}`;

export interface UserRepoOptions {
  db: Database;
  now?: () => number;
}

export class UserRepo {
  readonly #now: () => number;
  readonly #insert: Statement<[{ username: string; display_name: string; role: UserRole; password_hash: string; created_at: number }], UserRow>;
  readonly #get: Statement<[number], UserRow>;
  readonly #getByUsername: Statement<[string], UserRow>;
  readonly #getWithHash: Statement<[string], UserRowWithHash>;
  readonly #list: Statement<[], UserRow>;
  readonly #setDisabled: Statement<[number, number]>;
  readonly #setHash: Statement<[string, number]>;
  readonly #setRole: Statement<[UserRole, number]>;
  readonly #setDisplayName: Statement<[string, number]>;

  constructor({ db, now = Date.now }: UserRepoOptions) {
    this.#now = now;
    this.#insert = db.prepare(`
      INSERT INTO users (username, display_name, role, password_hash, disabled, created_at)
      VALUES (@username, @display_name, @role, @password_hash, 0, @created_at)
      RETURNING ${COLS}`);
    this.#get = db.prepare<[number], UserRow>(`SELECT ${COLS} FROM users WHERE id = ?`);
    // username is COLLATE NOCASE, so lookups ignore ASCII case.
    this.#getByUsername = db.prepare<[string], UserRow>(`SELECT ${COLS} FROM users WHERE username = ?`);
    this.#getWithHash = db.prepare<[string], UserRowWithHash>(
      `SELECT ${COLS}, password_hash FROM users WHERE username = ?`,
    );
    this.#list = db.prepare<[], UserRow>(`SELECT ${COLS} FROM users ORDER BY username`);
    this.#setDisabled = db.prepare<[number, number]>('UPDATE users SET disabled = ? WHERE id = ?');
    this.#setHash = db.prepare<[string, number]>('UPDATE users SET password_hash = ? WHERE id = ?');
    this.#setRole = db.prepare<[UserRole, number]>('UPDATE users SET role = ? WHERE id = ?');
    this.#setDisplayName = db.prepare<[string, number]>('UPDATE users SET display_name = ? WHERE id = ?');
  }

  /** Throws DbError 'username_taken' or 'invalid_input'. */
  async create({ username, displayName, role, password }: CreateUserInput): Promise<UserRecord> {
    const name = username.trim();
    if (!name) throw new DbError('invalid_input', 'username must not be empty');
    if (!USER_ROLES.includes(role)) throw new DbError('invalid_input', `unknown role ${String(role)}`);
    if (!password) throw new DbError('invalid_input', 'password must not be empty');
    const passwordHash = await hashPassword(password);
    try {
      const row = this.#insert.get({
        username: name,
        display_name: displayName,
        role,
        password_hash: passwordHash,
        created_at: this.#now(),
      });
      if (!row) throw new Error(`insert of user ${name} returned no row`);
      return toUser(row);
    } catch (err) {
      if (sqliteCode(err) === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new DbError('username_taken', `username ${name} is taken`, { cause: err });
      }
      throw err;
    }
  }

  /** The user when the password is right and the account is enabled; otherwise null. */
  async verifyPassword(username: string, password: string): Promise<UserRecord | null> {
    const row = this.#getWithHash.get(username.trim());
    const ok = await verifyPasswordHash(password, row?.password_hash ?? DUMMY_HASH);
    if (!row || !ok || row.disabled) return null;
    return toUser(row);
  }

  async setPassword(id: number, password: string): Promise<boolean> {
    if (!password) throw new DbError('invalid_input', 'password must not be empty');
    return this.#setHash.run(await hashPassword(password), id).changes === 1;
  }

  /** A disabled user can no longer log in, and SessionRepo.resolve refuses their sessions. */
  setDisabled(id: number, disabled: boolean): boolean {
    return this.#setDisabled.run(disabled ? 1 : 0, id).changes === 1;
  }

  setRole(id: number, role: UserRole): boolean {
    if (!USER_ROLES.includes(role)) throw new DbError('invalid_input', `unknown role ${String(role)}`);
    return this.#setRole.run(role, id).changes === 1;
  }

  setDisplayName(id: number, displayName: string): boolean {
    return this.#setDisplayName.run(displayName, id).changes === 1;
  }

  get(id: number): UserRecord | null {
    const row = this.#get.get(id);
    return row ? toUser(row) : null;
  }

  getByUsername(username: string): UserRecord | null {
    const row = this.#getByUsername.get(username.trim());
    return row ? toUser(row) : null;
  }

  list(): UserRecord[] {
    return this.#list.all().map(toUser);
  }
}

export function toUser(r: UserRow): UserRecord {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    role: r.role,
    disabled: r.disabled !== 0,
    createdAt: r.created_at,
  };
}
