import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserRepo } from './UserRepo.ts';
import type { UserRole } from './UserRepo.ts';
import { fakeClock, makeTempDb } from './testSupport.ts';
import type { TempDb } from './testSupport.ts';

describe('UserRepo', () => {
  let tmp: TempDb;
  let db: Database;
  let users: UserRepo;
  const clock = fakeClock(42_000);

  beforeEach(() => {
    tmp = makeTempDb();
    db = tmp.open();
    users = new UserRepo({ db, now: clock.now });
  });
  afterEach(() => tmp.cleanup());

  it('creates a user with a hashed password and never returns the hash', async () => {
    const u = await users.create({ username: 'officer1', displayName: '值班民警 王磊', role: 'officer', password: 'hunter2!' });
    expect(u).toEqual({ id: u.id, username: 'officer1', displayName: '值班民警 王磊', role: 'officer', disabled: false, createdAt: 42_000 });
    expect(Object.keys(u)).not.toContain('passwordHash');
    const stored = db.prepare<[number], string>('SELECT password_hash FROM users WHERE id = ?').pluck().get(u.id);
    expect(stored).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(stored).not.toContain('hunter2');
    expect(users.get(u.id)).toEqual(u);
    expect(users.getByUsername('OFFICER1')).toEqual(u); // usernames ignore case
    expect(users.list()).toEqual([u]);
  });

  it('verifies the right password and refuses a wrong one or an unknown user', async () => {
    const u = await users.create({ username: 'tech', displayName: '运维技术员 赵强', role: 'technician', password: 'pi-enrol' });
    expect(await users.verifyPassword('tech', 'pi-enrol')).toEqual(u);
    expect(await users.verifyPassword('tech', 'pi-enroll')).toBeNull();
    expect(await users.verifyPassword('nobody', 'pi-enrol')).toBeNull();
  });

  it('refuses a disabled user even with the right password', async () => {
    const u = await users.create({ username: 'field', displayName: '社区民警 陈静', role: 'field', password: 'patrol' });
    expect(users.setDisabled(u.id, true)).toBe(true);
    expect(await users.verifyPassword('field', 'patrol')).toBeNull();
    expect(users.get(u.id)?.disabled).toBe(true);
    users.setDisabled(u.id, false);
    expect(await users.verifyPassword('field', 'patrol')).toMatchObject({ id: u.id });
  });

  it('a corrupt stored hash means "no login", not a crash', async () => {
    const u = await users.create({ username: 'admin', displayName: '系统管理员', role: 'admin', password: 'root' });
    db.prepare("UPDATE users SET password_hash = 'scrypt$garbage' WHERE id = ?").run(u.id);
    expect(await users.verifyPassword('admin', 'root')).toBeNull();
    expect(await users.setPassword(u.id, 'new-root')).toBe(true);
    expect(await users.verifyPassword('admin', 'new-root')).toMatchObject({ id: u.id });
  });

  it('rejects duplicate usernames (case-insensitively), empty input and unknown roles', async () => {
    await users.create({ username: 'officer2', displayName: '值班民警 李娜', role: 'officer', password: 'a' });
    await expect(users.create({ username: 'Officer2', displayName: 'x', role: 'officer', password: 'b' })).rejects.toMatchObject({ code: 'username_taken' });
    await expect(users.create({ username: '  ', displayName: 'x', role: 'officer', password: 'b' })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(users.create({ username: 'x', displayName: 'x', role: 'officer', password: '' })).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(users.create({ username: 'y', displayName: 'y', role: 'chief' as UserRole, password: 'p' })).rejects.toMatchObject({ code: 'invalid_input' });
    expect(users.list()).toHaveLength(1);
  });
});
