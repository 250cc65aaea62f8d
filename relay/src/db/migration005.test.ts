import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallRepo } from './CallRepo.ts';
import { MIGRATIONS } from './migrations/index.ts';
import { TerminalRepo } from './TerminalRepo.ts';
import { UserRepo } from './UserRepo.ts';
import { makeTempDb, sampleTerminal, type TempDb } from './testSupport.ts';

// Migration 005 rebuilds `calls` with kind lookin allowed. Tested on a real
// file that was written by a relay at version 4, with look-ins stored the old
// way (kind help, request id 'lookin:…') and rows in every table that points
// at calls: nothing may be lost or re-pointed, and the keys must hold.
let tmp: TempDb;
beforeEach(() => (tmp = makeTempDb()));
afterEach(() => tmp.cleanup());

describe('migration 005: look-in as a call kind', () => {
  it('converts old look-in rows, keeps every call, event, disposition and evidence row', async () => {
    const v4 = tmp.open({ migrations: MIGRATIONS.slice(0, 4) });
    new TerminalRepo({ db: v4 }).upsert(sampleTerminal('XC-SCH-001'));
    const officer = await new UserRepo({ db: v4 }).create({ username: 'wang', displayName: '王警官', role: 'officer', password: 'correct horse battery' });
    const ins = v4.prepare(`INSERT INTO calls (id, request_id, terminal_id, state, created_at, rang_at, answered_at, answered_by, ended_at, end_reason, ended_by, kind, escalated_at)
      VALUES (?, ?, 'XC-SCH-001', 'ended', 1, 1, ?, ?, 9, ?, ?, ?, ?)`);
    ins.run('c-help', 'req-help-0001', 2, officer.id, 'officer_hangup', 'officer', 'help', null);
    ins.run('c-tamper', 'req-tamper-001', null, null, 'no_answer', 'relay', 'tamper', 5);
    ins.run('c-look', 'lookin:4b1e', 1, officer.id, 'officer_hangup', 'officer', 'help', null);
    v4.prepare(`INSERT INTO call_events (call_id, at, type, actor, detail) VALUES (?, 1, 'lookin', ?, NULL)`).run('c-look', `user:${officer.id}`);
    v4.prepare(`INSERT INTO call_events (call_id, at, type, actor, detail) VALUES ('c-help', 2, 'answered', ?, NULL)`).run(`user:${officer.id}`);
    v4.prepare(`INSERT INTO call_dispositions (call_id, incident_type, outcome, notes, dispatched, recorded_by, recorded_at) VALUES ('c-help', 'medical', 'referred', '送医', 0, ?, 10)`).run(officer.id);
    v4.prepare(`INSERT INTO call_media (call_id, kind, file, mime, bytes, created_at) VALUES ('c-look', 'snapshot', 'snapshots/a.jpg', 'image/jpeg', 10, 3)`).run();
    // the old CHECK refuses the new kind: this is why the table is rebuilt
    expect(() => ins.run('c-x', 'req-x-000001', null, null, 'no_answer', 'relay', 'lookin', null)).toThrow(/CHECK/);
    v4.close();

    const db = tmp.open();
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    const kinds = db.prepare<[], { id: string; kind: string }>('SELECT id, kind FROM calls ORDER BY id').all();
    expect(kinds).toEqual([
      { id: 'c-help', kind: 'help' },
      { id: 'c-look', kind: 'lookin' },
      { id: 'c-tamper', kind: 'tamper' },
    ]);
    const repo = new CallRepo({ db });
    expect(repo.get('c-tamper')).toMatchObject({ kind: 'tamper', escalatedAt: 5, endReason: 'no_answer' });
    expect(repo.get('c-look')).toMatchObject({ kind: 'lookin', answeredBy: officer.id });
    expect(repo.events('c-look').map((e) => e.type)).toEqual(['lookin']);
    expect(repo.events('c-help').map((e) => e.type)).toEqual(['answered']);
    expect(db.prepare('SELECT count(*) AS n FROM call_dispositions').get()).toEqual({ n: 1 });
    expect(db.prepare('SELECT call_id FROM call_media').all()).toEqual([{ call_id: 'c-look' }]);
    expect(repo.search({ limit: 10, kind: 'lookin' }).map((c) => c.id)).toEqual(['c-look']);
    expect(repo.search({ limit: 10, kind: 'help' }).map((c) => c.id)).toEqual(['c-help']);
    // the new table still refuses nonsense, and still cascades from calls
    expect(() => db.prepare(`UPDATE calls SET kind = 'other' WHERE id = 'c-help'`).run()).toThrow(/CHECK/);
    const look = repo.createLookin({ terminalId: 'XC-SCH-001', userId: officer.id, at: 20 });
    expect(db.prepare('SELECT kind FROM calls WHERE id = ?').get(look.id)).toEqual({ kind: 'lookin' });
    db.prepare(`DELETE FROM calls WHERE id = 'c-look'`).run();
    expect(db.prepare(`SELECT count(*) AS n FROM call_media`).get()).toEqual({ n: 0 });
  });
});
