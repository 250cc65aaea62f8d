import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_RESPONDERS, DEMO_USERS, seedDemo } from './demoData.ts';
import { TerminalRepo } from './TerminalRepo.ts';
import { UserRepo } from './UserRepo.ts';
import { makeTempDb } from './testSupport.ts';
import type { TempDb } from './testSupport.ts';

// Shichahai (什刹海), Xicheng.
const BOX = { latMin: 39.935, latMax: 39.945, lonMin: 116.378, lonMax: 116.4 };
const PREFIX = { school: 'SCH', kindergarten: 'KG', hutong: 'HT', other: 'OT' } as const;

describe('seedDemo', () => {
  let tmp: TempDb;
  let db: Database;
  beforeEach(() => {
    tmp = makeTempDb();
    db = tmp.open();
  });
  afterEach(() => tmp.cleanup());

  it('adds about 20 plausible Shichahai help points with unique IDs', async () => {
    const result = await seedDemo(db);
    const terminals = new TerminalRepo({ db }).list();
    expect(result.terminalsAdded).toBe(terminals.length);
    expect(terminals.length).toBeGreaterThanOrEqual(18);
    expect(terminals.length).toBeLessThanOrEqual(24);
    expect(new Set(terminals.map((t) => t.id)).size).toBe(terminals.length);
    expect(new Set(terminals.map((t) => t.id.slice(-3))).size).toBe(terminals.length); // numbers run across kinds

    for (const t of terminals) {
      expect(t.id).toMatch(/^XC-(SCH|KG|HT)-\d{3}$/);
      expect(t.id.split('-')[1]).toBe(PREFIX[t.kind]);
      expect(t.latitude).toBeGreaterThanOrEqual(BOX.latMin);
      expect(t.latitude).toBeLessThanOrEqual(BOX.latMax);
      expect(t.longitude).toBeGreaterThanOrEqual(BOX.lonMin);
      expect(t.longitude).toBeLessThanOrEqual(BOX.lonMax);
      expect(t.district).toBe('西城区');
      expect(t.address.startsWith('北京市西城区')).toBe(true);
      expect(t.name).toMatch(/\p{Script=Han}/u);
      expect(t.nameEn).toMatch(/^[\x20-\x7e]+$/);
      expect(t.hutong).not.toBe('');
      expect(t.notes).not.toBe('');
    }
    const kinds = new Set(terminals.map((t) => t.kind));
    expect(kinds).toEqual(new Set(['school', 'kindergarten', 'hutong']));
    // no two help points on the same spot (a copy-paste slip would show on the map as one)
    const spots = new Set(terminals.map((t) => `${t.latitude.toFixed(4)},${t.longitude.toFixed(4)}`));
    expect(spots.size).toBe(terminals.length);
  });

  it('adds demo users who can log in with the printed passwords', async () => {
    const result = await seedDemo(db);
    expect(result.usersAdded).toBe(DEMO_USERS.length + DEMO_RESPONDERS.length);
    const users = new UserRepo({ db });
    expect(new Set(DEMO_USERS.map((u) => u.role))).toEqual(new Set(['officer', 'supervisor', 'technician', 'field', 'admin']));
    for (const demo of DEMO_USERS) {
      expect(await users.verifyPassword(demo.username, demo.password)).toMatchObject({
        username: demo.username,
        displayName: demo.displayName,
        role: demo.role,
      });
    }
  });

  it('is idempotent and leaves existing rows alone', async () => {
    await seedDemo(db);
    const terminals = new TerminalRepo({ db });
    const before = terminals.list();
    const edited = terminals.upsert({ ...before[0]!, notes: '已迁移至路口北侧' });
    const users = new UserRepo({ db });
    await users.setPassword(users.getByUsername('officer1')!.id, 'changed');

    const again = await seedDemo(db);
    expect(again).toEqual({ terminalsAdded: 0, usersAdded: 0 });
    expect(terminals.count()).toBe(before.length);
    expect(terminals.get(edited.id)?.notes).toBe('已迁移至路口北侧');
    expect(users.list()).toHaveLength(DEMO_USERS.length + DEMO_RESPONDERS.length);
    expect(await users.verifyPassword('officer1', 'changed')).not.toBeNull();
  });
});
