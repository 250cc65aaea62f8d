import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '@helppoint/shared';
import { CallRepo } from './CallRepo.ts';
import { DispatchRepo, ResponseTimeRepo } from './DispatchRepo.ts';
import { MIGRATIONS } from './migrations/index.ts';
import { ResponderRepo } from './ResponderRepo.ts';
import { SessionRepo } from './SessionRepo.ts';
import { TerminalRepo } from './TerminalRepo.ts';
import { UserRepo } from './UserRepo.ts';
import { makeTempDb, sampleTerminal, type TempDb } from './testSupport.ts';

describe('dispatch storage', () => {
  let tmp: TempDb;
  beforeEach(() => {
    tmp = makeTempDb();
  });
  afterEach(() => tmp.cleanup());

  it('migrating a database from before dispatch keeps users, their sessions and calls, and allows role responder', async () => {
    const old = tmp.open({ migrations: MIGRATIONS.slice(0, 4) });
    const users = new UserRepo({ db: old });
    const officer = await users.create({ username: 'officer1', displayName: '王磊', role: 'officer', password: 'x' });
    const token = new SessionRepo({ db: old }).create(officer.id, 3_600_000);
    new TerminalRepo({ db: old }).upsert(sampleTerminal('XC-HT-003'));
    const calls = new CallRepo({ db: old });
    const { call } = calls.createOrGet({ requestId: 'req-00000001', terminalId: sampleTerminal('XC-HT-003').id, at: 1000 });
    calls.answer({ callId: call.id, userId: officer.id, at: 2000 });
    expect(() => old.prepare("INSERT INTO users (username, display_name, role, password_hash, created_at) VALUES ('r', 'r', 'responder', 'h', 1)").run()).toThrow(/CHECK/);
    old.close();

    const db = tmp.open();
    expect(new SessionRepo({ db }).resolve(token)?.user.username).toBe('officer1');
    expect(new CallRepo({ db }).get(call.id)?.answeredBy).toBe(officer.id);
    const r = await new UserRepo({ db }).create({ username: 'responder1', displayName: '刘洋', role: 'responder', password: 'x' });
    expect(r.role).toBe('responder');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
    // The rebuilt table still enforces its CHECK.
    expect(() => db.prepare("INSERT INTO users (username, display_name, role, password_hash, created_at) VALUES ('z', 'z', 'root', 'h', 1)").run()).toThrow(/CHECK/);
  });

  it('keeps a position only while on duty, and deletes history past retention', async () => {
    const db = tmp.open();
    const u = await new UserRepo({ db }).create({ username: 'responder1', displayName: '刘洋', role: 'responder', password: 'x' });
    const repo = new ResponderRepo({ db });
    repo.setProfile(u.id, '警务室 1组', 'community_police');
    const p = { latitude: 39.939, longitude: 116.389, accuracyM: 5, at: 1000 };
    expect(repo.recordPosition(u.id, p)).toBe(false); // off duty: nothing stored
    expect(repo.history(u.id, 0, 1e15)).toEqual([]);
    repo.setDuty(u.id, true, 500);
    expect(repo.recordPosition(u.id, p)).toBe(true);
    expect(repo.recordPosition(u.id, { ...p, at: 5000 })).toBe(true);
    expect(repo.get(u.id)?.position).toEqual({ latitude: 39.939, longitude: 116.389, accuracyM: 5, at: 5000 });
    repo.setDuty(u.id, false, 6000);
    expect(repo.get(u.id)?.position).toBeNull();
    expect(repo.history(u.id, 0, 1e15)).toHaveLength(2);
    expect(repo.deleteOlderThan(3000)).toBe(1);
    expect(repo.history(u.id, 0, 1e15).map((h) => h.at)).toEqual([5000]);
  });

  it('moves jobs only along allowed steps, one open job per responder per call, and feeds the report', async () => {
    const db = tmp.open();
    const users = new UserRepo({ db });
    const officer = await users.create({ username: 'officer1', displayName: '王磊', role: 'officer', password: 'x' });
    const resp = await users.create({ username: 'responder1', displayName: '刘洋', role: 'responder', password: 'x' });
    new TerminalRepo({ db }).upsert(sampleTerminal('XC-HT-003'));
    const calls = new CallRepo({ db });
    const { call } = calls.createOrGet({ requestId: 'req-00000002', terminalId: sampleTerminal('XC-HT-003').id, at: 10_000 });
    calls.answer({ callId: call.id, userId: officer.id, at: 20_000 });
    const repo = new DispatchRepo({ db });
    const d = repo.create({ callId: call.id, responderId: resp.id, dispatchedBy: officer.id, distanceM: 300, at: 50_000 });
    expect(() => repo.create({ callId: call.id, responderId: resp.id, dispatchedBy: officer.id, distanceM: 300, at: 51_000 })).toThrow(AppError);
    expect(repo.transition(d.id, 'on_scene', 60_000)).toBe(false); // not accepted yet
    expect(repo.transition(d.id, 'accepted', 60_000)).toBe(true);
    expect(repo.transition(d.id, 'accepted', 61_000)).toBe(false);
    expect(repo.transition(d.id, 'on_scene', 200_000)).toBe(true); // en route may be skipped
    expect(repo.transition(d.id, 'done', 300_000, { note: '无恙' })).toBe(true);
    expect(repo.get(d.id)).toMatchObject({ status: 'done', acceptedAt: 60_000, enRouteAt: null, onSceneAt: 200_000, doneAt: 300_000, note: '无恙' });
    // Done: the same responder may be sent again to the same call.
    expect(repo.create({ callId: call.id, responderId: resp.id, dispatchedBy: officer.id, distanceM: 10, at: 400_000 }).status).toBe('assigned');
    const rows = new ResponseTimeRepo({ db }).rows(0, 1e15);
    expect(rows).toEqual([{ callId: call.id, terminalId: sampleTerminal('XC-HT-003').id, pressedAt: 10_000, answeredAt: 20_000, firstDispatchAt: 50_000, firstOnSceneAt: 200_000 }]);
  });
});

void BetterSqlite3;
