import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallMediaRepo } from './CallMediaRepo.ts';
import { CallRepo } from './CallRepo.ts';
import { DispositionRepo } from './DispositionRepo.ts';
import { TerminalRepo } from './TerminalRepo.ts';
import { UserRepo } from './UserRepo.ts';
import { makeTempDb, sampleTerminal, type TempDb } from './testSupport.ts';

describe('duty desk storage (migration 003)', () => {
  let tmp: TempDb;
  let db: Database;
  let calls: CallRepo;
  let dispositions: DispositionRepo;
  let media: CallMediaRepo;
  let wang: number;
  let li: number;

  beforeEach(async () => {
    tmp = makeTempDb();
    db = tmp.open();
    calls = new CallRepo({ db });
    dispositions = new DispositionRepo({ db });
    media = new CallMediaRepo({ db });
    const terminals = new TerminalRepo({ db });
    terminals.upsert(sampleTerminal('XC-HT-003'));
    terminals.upsert(sampleTerminal('XC-SCH-001', { kind: 'school' }));
    const users = new UserRepo({ db });
    wang = (await users.create({ username: 'wang', displayName: '王磊', role: 'officer', password: 'pw-a' })).id;
    li = (await users.create({ username: 'li', displayName: '李娜', role: 'officer', password: 'pw-b' })).id;
  });
  afterEach(() => tmp.cleanup());

  it('escalates a ringing call once, and never an answered or ended one', () => {
    const a = calls.createOrGet({ requestId: 'req-a-0001', terminalId: 'XC-HT-003', at: 1000, kind: 'tamper' }).call;
    expect(a).toMatchObject({ kind: 'tamper', escalatedAt: null });
    expect(calls.escalate({ callId: a.id, at: 21_000 })).toBe(true);
    expect(calls.escalate({ callId: a.id, at: 22_000 })).toBe(false);
    expect(calls.get(a.id)?.escalatedAt).toBe(21_000);
    expect(calls.events(a.id).filter((e) => e.type === 'escalated')).toHaveLength(1);

    const b = calls.createOrGet({ requestId: 'req-b-0001', terminalId: 'XC-SCH-001', at: 2000 }).call;
    expect(b.kind).toBe('help');
    calls.answer({ callId: b.id, userId: wang, at: 3000 });
    expect(calls.escalate({ callId: b.id, at: 22_000 })).toBe(false);
    expect(() => calls.escalate({ callId: 'nope', at: 1 })).toThrow(/no call/);
  });

  it('refuses a call kind the schema does not know', () => {
    expect(() => calls.createOrGet({ requestId: 'req-c-0001', terminalId: 'XC-HT-003', at: 1, kind: 'fire' as 'help' })).toThrow(/CHECK/);
    expect(calls.listRecent({ limit: 10 })).toEqual([]);
  });

  it('searches by terminal, officer, time range, end reason and disposition outcome together', () => {
    const mk = (req: string, t: string, at: number) => calls.createOrGet({ requestId: req, terminalId: t, at }).call.id;
    const c1 = mk('req-1-0001', 'XC-HT-003', 1000);
    const c2 = mk('req-2-0001', 'XC-HT-003', 5000);
    const c3 = mk('req-3-0001', 'XC-SCH-001', 9000);
    calls.answer({ callId: c1, userId: wang, at: 1100 });
    calls.answer({ callId: c2, userId: li, at: 5100 });
    calls.end({ callId: c1, reason: 'officer_hangup', endedBy: 'officer', at: 2000 });
    calls.end({ callId: c2, reason: 'officer_hangup', endedBy: 'officer', at: 6000 });
    calls.end({ callId: c3, reason: 'no_answer', endedBy: 'relay', at: 10_000 });
    dispositions.save({ callId: c2, incidentType: 'medical', outcome: 'officers_dispatched', notes: '', dispatched: true, recordedBy: li, recordedAt: 7000 });
    const ids = (q: Parameters<CallRepo['search']>[0]) => calls.search(q).map((c) => c.id);
    expect(ids({ limit: 10 })).toEqual([c3, c2, c1]);
    expect(ids({ limit: 10, terminalId: 'XC-HT-003' })).toEqual([c2, c1]);
    expect(ids({ limit: 10, officerId: wang })).toEqual([c1]);
    expect(ids({ limit: 10, from: 1000, to: 5000 })).toEqual([c1]);
    expect(ids({ limit: 10, endReason: 'no_answer' })).toEqual([c3]);
    expect(ids({ limit: 10, outcome: 'officers_dispatched', terminalId: 'XC-HT-003' })).toEqual([c2]);
    expect(ids({ limit: 10, outcome: "x' OR 1=1 --" })).toEqual([]);
    expect(ids({ limit: 1 })).toEqual([c3]);
  });

  it('keeps one disposition per call (saving again replaces it) and enforces its values in SQL too', () => {
    const c = calls.createOrGet({ requestId: 'req-d-0001', terminalId: 'XC-HT-003', at: 1 }).call.id;
    dispositions.save({ callId: c, incidentType: 'dispute', outcome: 'referred', notes: 'a', dispatched: false, recordedBy: wang, recordedAt: 2 });
    dispositions.save({ callId: c, incidentType: 'crime', outcome: 'officers_dispatched', notes: 'b', dispatched: true, recordedBy: li, recordedAt: 3 });
    expect(dispositions.get(c)).toEqual({ callId: c, incidentType: 'crime', outcome: 'officers_dispatched', notes: 'b', dispatched: true, recordedBy: li, recordedAt: 3 });
    expect(() => dispositions.save({ callId: c, incidentType: 'alien' as 'crime', outcome: 'referred', notes: '', dispatched: false, recordedBy: wang, recordedAt: 4 })).toThrow(/CHECK/);
    expect(() => dispositions.save({ callId: 'nope', incidentType: 'crime', outcome: 'referred', notes: '', dispatched: false, recordedBy: wang, recordedAt: 4 })).toThrow(/no call/);
    expect(dispositions.get(c)?.incidentType).toBe('crime');
  });

  it('stores evidence rows with paths that cannot leave the media folder', () => {
    const c = calls.createOrGet({ requestId: 'req-e-0001', terminalId: 'XC-HT-003', at: 1 }).call.id;
    const row = media.add({ callId: c, kind: 'recording', file: 'recordings/x.webm', mime: 'video/webm', bytes: 0, createdAt: 10, finishedAt: null, takenBy: null });
    media.finish(row.id, 1234, 20);
    expect(media.get(row.id)).toMatchObject({ bytes: 1234, finishedAt: 20, deletedAt: null });
    for (const file of ['../etc/passwd', '/etc/passwd', 'a/../../b']) {
      expect(() => media.add({ callId: c, kind: 'snapshot', file, mime: 'image/jpeg', bytes: 1, createdAt: 1, finishedAt: 1, takenBy: null })).toThrow(/CHECK/);
    }
    expect(media.expired(11).map((m) => m.id)).toEqual([row.id]);
    media.markDeleted(row.id, 30);
    expect(media.expired(11)).toEqual([]);
  });
});
