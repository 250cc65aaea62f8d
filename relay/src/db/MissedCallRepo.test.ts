import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallRepo } from './CallRepo.ts';
import { MissedCallRepo } from './MissedCallRepo.ts';
import { TerminalRepo } from './TerminalRepo.ts';
import { UserRepo } from './UserRepo.ts';
import { makeTempDb, sampleTerminal, type TempDb } from './testSupport.ts';

describe('missed calls to call back', () => {
  let tmp: TempDb;
  let db: Database;
  let calls: CallRepo;
  let missed: MissedCallRepo;
  let wang: number;
  let li: number;

  beforeEach(async () => {
    tmp = makeTempDb();
    db = tmp.open();
    calls = new CallRepo({ db });
    missed = new MissedCallRepo({ db });
    const terminals = new TerminalRepo({ db });
    terminals.upsert(sampleTerminal('XC-HT-003'));
    terminals.upsert(sampleTerminal('XC-KG-002'));
    const users = new UserRepo({ db });
    wang = (await users.create({ username: 'wang', displayName: '王磊', role: 'officer', password: 'pw-a' })).id;
    li = (await users.create({ username: 'li', displayName: '李娜', role: 'officer', password: 'pw-b' })).id;
  });
  afterEach(() => tmp.cleanup());

  it('lists only missed calls not yet called back, latest press first, with the press time', () => {
    const a = calls.createMissed({ requestId: 'late-a-0001', terminalId: 'XC-HT-003', at: 50_000, pressedAt: 10_000 }).call;
    const b = calls.createMissed({ requestId: 'late-b-0001', terminalId: 'XC-KG-002', at: 40_000, pressedAt: 30_000 }).call;
    const live = calls.createOrGet({ requestId: 'live-c-0001', terminalId: 'XC-HT-003', at: 60_000 }).call;
    calls.end({ callId: live.id, reason: 'no_answer', endedBy: 'relay', at: 70_000 });
    expect(missed.listOpen()).toEqual([
      { callId: b.id, terminalId: 'XC-KG-002', pressedAt: 30_000, deliveredAt: 40_000 },
      { callId: a.id, terminalId: 'XC-HT-003', pressedAt: 10_000, deliveredAt: 50_000 },
    ]);
    expect(missed.listOpen(1)).toHaveLength(1);
  });

  it('marks a call called back once: the first officer is kept, the call leaves the list, the timeline shows it', () => {
    const a = calls.createMissed({ requestId: 'late-a-0001', terminalId: 'XC-HT-003', at: 50_000, pressedAt: 10_000 }).call;
    expect(missed.markCalledBack({ callId: a.id, userId: wang, at: 80_000, note: '已回电，误触' })).toEqual({
      record: { callId: a.id, userId: wang, at: 80_000, note: '已回电，误触' },
      changed: true,
    });
    expect(missed.markCalledBack({ callId: a.id, userId: li, at: 90_000, note: '' })).toEqual({
      record: { callId: a.id, userId: wang, at: 80_000, note: '已回电，误触' },
      changed: false,
    });
    expect(missed.listOpen()).toEqual([]);
    expect(calls.events(a.id).filter((e) => e.type === 'called_back')).toEqual([
      expect.objectContaining({ at: 80_000, actor: `user:${wang}`, detail: { note: '已回电，误触' } }),
    ]);
  });

  it('refuses unknown calls and calls that were not missed, writing nothing', () => {
    const live = calls.createOrGet({ requestId: 'live-c-0001', terminalId: 'XC-HT-003', at: 60_000 }).call;
    expect(() => missed.markCalledBack({ callId: 'nope', userId: wang, at: 1, note: '' })).toThrow(expect.objectContaining({ code: 'call_not_found' }));
    expect(() => missed.markCalledBack({ callId: live.id, userId: wang, at: 1, note: '' })).toThrow(expect.objectContaining({ code: 'not_a_missed_call' }));
    expect(calls.events(live.id).filter((e) => e.type === 'called_back')).toEqual([]);
  });
});
