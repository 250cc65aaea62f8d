import { createHash } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SessionRepo } from './SessionRepo.ts';
import { UserRepo } from './UserRepo.ts';
import type { UserRecord } from './UserRepo.ts';
import { fakeClock, makeTempDb } from './testSupport.ts';
import type { TempDb } from './testSupport.ts';

const HOUR = 3_600_000;

describe('SessionRepo', () => {
  let tmp: TempDb;
  let db: Database;
  let users: UserRepo;
  let sessions: SessionRepo;
  let officer: UserRecord;
  const clock = fakeClock();

  beforeEach(async () => {
    clock.set(1_750_000_000_000);
    tmp = makeTempDb();
    db = tmp.open();
    users = new UserRepo({ db, now: clock.now });
    sessions = new SessionRepo({ db, now: clock.now });
    officer = await users.create({ username: 'officer1', displayName: '值班民警 王磊', role: 'officer', password: 'pw' });
  });
  afterEach(() => tmp.cleanup());

  it('stores only the sha256 of the token and resolves it to the user', () => {
    const t0 = clock.now();
    const token = sessions.create(officer.id, 8 * HOUR);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = db.prepare('SELECT * FROM sessions').all();
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(rows).toEqual([
      expect.objectContaining({ token_hash: createHash('sha256').update(token).digest('hex'), user_id: officer.id, expires_at: t0 + 8 * HOUR }),
    ]);

    clock.advance(10 * 60_000);
    const resolved = sessions.resolve(token);
    expect(resolved?.user).toEqual(officer);
    expect(resolved?.session).toMatchObject({ userId: officer.id, createdAt: t0, expiresAt: t0 + 8 * HOUR, lastSeenAt: t0 + 10 * 60_000 });
    expect(db.prepare('SELECT last_seen_at FROM sessions').pluck().get()).toBe(t0 + 10 * 60_000);
  });

  it('two logins get different tokens; unknown or malformed tokens resolve to null', () => {
    const a = sessions.create(officer.id, HOUR);
    const b = sessions.create(officer.id, HOUR);
    expect(a).not.toBe(b);
    expect(sessions.resolve(`${a.slice(0, -1)}${a.endsWith('A') ? 'B' : 'A'}`)).toBeNull();
    expect(sessions.resolve('')).toBeNull();
    expect(sessions.resolve(undefined)).toBeNull();
    expect(sessions.resolve('x'.repeat(5000))).toBeNull();
  });

  it('sessions expire', () => {
    const token = sessions.create(officer.id, HOUR);
    clock.advance(HOUR - 1);
    expect(sessions.resolve(token)).not.toBeNull();
    clock.advance(1);
    expect(sessions.resolve(token)).toBeNull();
    clock.advance(-10); // even if the clock steps back, an expired session stays gone
    expect(sessions.resolve(token)).toBeNull();
  });

  it('purgeExpired removes only expired sessions', () => {
    const short = sessions.create(officer.id, HOUR);
    const long = sessions.create(officer.id, 10 * HOUR);
    expect(sessions.purgeExpired(clock.now() + 2 * HOUR)).toBe(1);
    expect(sessions.purgeExpired(clock.now() + 2 * HOUR)).toBe(0);
    expect(sessions.resolve(short)).toBeNull();
    expect(sessions.resolve(long)?.user.id).toBe(officer.id);
  });

  it('revoke logs out, and a disabled user\'s sessions stop resolving', () => {
    const a = sessions.create(officer.id, HOUR);
    const b = sessions.create(officer.id, HOUR);
    expect(sessions.revoke(a)).toBe(true);
    expect(sessions.revoke(a)).toBe(false);
    expect(sessions.resolve(a)).toBeNull();
    expect(sessions.resolve(b)).not.toBeNull();

    users.setDisabled(officer.id, true);
    expect(sessions.resolve(b)).toBeNull();
    expect(sessions.revokeAllForUser(officer.id)).toBe(1);
  });

  it('refuses a session for an unknown user', () => {
    expect(() => sessions.create(9999, HOUR)).toThrow(/FOREIGN KEY/);
  });
});
