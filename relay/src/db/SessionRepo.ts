import { createHash, randomBytes } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import { toUser } from './UserRepo.ts';
import type { UserRecord, UserRow } from './UserRepo.ts';

export interface SessionRecord {
  /** sha256 hex of the token; the raw token exists only in the user's cookie. */
  tokenHash: string;
  userId: number;
  createdAt: number;
  expiresAt: number;
  lastSeenAt: number;
}

export interface ResolvedSession {
  user: UserRecord;
  session: SessionRecord;
}

interface SessionRow {
  token_hash: string;
  user_id: number;
  created_at: number;
  expires_at: number;
  last_seen_at: number;
}

interface JoinedRow extends Omit<SessionRow, 'created_at'>, Omit<UserRow, 'id' | 'created_at'> {
  session_created_at: number;
  user_created_at: number;
}

const TOKEN_BYTES = 32;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/; // 32 bytes in unpadded base64url

export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface SessionRepoOptions {
  db: Database;
  now?: () => number;
}

export class SessionRepo {
  readonly #now: () => number;
  readonly #insert: Statement<[SessionRow]>;
  readonly #resolve: Statement<[string], JoinedRow>;
  readonly #touch: Statement<[number, string]>;
  readonly #delete: Statement<[string]>;
  readonly #deleteForUser: Statement<[number]>;
  readonly #purge: Statement<[number]>;
  readonly #live: Statement<[string, number], { n: number }>;

  constructor({ db, now = Date.now }: SessionRepoOptions) {
    this.#now = now;
    this.#insert = db.prepare<SessionRow>(`
      INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at)
      VALUES (@token_hash, @user_id, @created_at, @expires_at, @last_seen_at)`);
    this.#resolve = db.prepare<[string], JoinedRow>(`
      SELECT s.token_hash, s.user_id, s.created_at AS session_created_at, s.expires_at, s.last_seen_at,
             u.username, u.display_name, u.role, u.disabled, u.created_at AS user_created_at
      FROM sessions s JOIN users u ON u.id = s.user_id
      WHERE s.token_hash = ?`);
    this.#touch = db.prepare<[number, string]>('UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?');
    this.#delete = db.prepare<[string]>('DELETE FROM sessions WHERE token_hash = ?');
    this.#deleteForUser = db.prepare<[number]>('DELETE FROM sessions WHERE user_id = ?');
    this.#purge = db.prepare<[number]>('DELETE FROM sessions WHERE expires_at <= ?');
    this.#live = db.prepare<[string, number], { n: number }>(
      'SELECT count(*) AS n FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ? AND u.disabled = 0',
    );
  }

  /** Starts a session and returns the raw token for the cookie; only its hash is stored. */
  create(userId: number, ttlMs: number): string {
    if (!(ttlMs > 0)) throw new RangeError(`session ttl must be positive, got ${ttlMs}`);
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    const now = this.#now();
    this.#insert.run({
      token_hash: hashSessionToken(token),
      user_id: userId,
      created_at: now,
      expires_at: now + ttlMs,
      last_seen_at: now,
    });
    return token;
  }

  /** The session's user, or null when the token is unknown, expired, or its user disabled. */
  resolve(token: unknown): ResolvedSession | null {
    if (typeof token !== 'string' || !TOKEN_PATTERN.test(token)) return null;
    const tokenHash = hashSessionToken(token);
    const row = this.#resolve.get(tokenHash);
    if (!row) return null;
    const now = this.#now();
    if (row.expires_at <= now) {
      this.#delete.run(tokenHash);
      return null;
    }
    if (row.disabled) return null;
    this.#touch.run(now, tokenHash);
    return {
      user: toUser({
        id: row.user_id,
        username: row.username,
        display_name: row.display_name,
        role: row.role,
        disabled: row.disabled,
        created_at: row.user_created_at,
      }),
      session: {
        tokenHash,
        userId: row.user_id,
        createdAt: row.session_created_at,
        expiresAt: row.expires_at,
        lastSeenAt: now,
      },
    };
  }

  /** Whether a session (by token hash) still exists, is unexpired and its user enabled; a read, no touch. */
  isLive(tokenHash: string): boolean {
    return (this.#live.get(tokenHash, this.#now())?.n ?? 0) > 0;
  }

  /** Logs out; true if the session existed. */
  revoke(token: string): boolean {
    return this.#delete.run(hashSessionToken(token)).changes > 0;
  }

  /** Ends every session of a user, e.g. after disabling the account or changing the password. */
  revokeAllForUser(userId: number): number {
    return this.#deleteForUser.run(userId).changes;
  }

  /** Deletes sessions expired at `now`; returns how many. */
  purgeExpired(now: number = this.#now()): number {
    return this.#purge.run(now).changes;
  }
}
