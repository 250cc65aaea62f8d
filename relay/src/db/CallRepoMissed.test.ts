import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallRepo } from './CallRepo.ts';
import { TerminalRepo } from './TerminalRepo.ts';
import { makeTempDb, sampleTerminal } from './testSupport.ts';
import type { TempDb } from './testSupport.ts';

describe('CallRepo.createMissed (a press delivered late from a terminal outbox)', () => {
  let tmp: TempDb;
  let calls: CallRepo;

  beforeEach(() => {
    tmp = makeTempDb();
    const db = tmp.open();
    new TerminalRepo({ db }).upsert(sampleTerminal('XC-HT-003'));
    new TerminalRepo({ db }).upsert(sampleTerminal('XC-SCH-001'));
    calls = new CallRepo({ db });
  });
  afterEach(() => tmp.cleanup());

  it('stores an ended call with reason missed, the press time in its timeline, and never rings', () => {
    const { call, created } = calls.createMissed({ requestId: 'offline-press-1', terminalId: 'XC-HT-003', at: 2000, pressedAt: 1000 });
    expect(created).toBe(true);
    expect(call).toMatchObject({ state: 'ended', endReason: 'missed', endedBy: 'terminal', rangAt: null, createdAt: 2000 });
    expect(calls.events(call.id).map((e) => [e.type, e.at])).toEqual([
      ['pressed', 1000],
      ['ended', 2000],
    ]);
    expect(calls.listOpen()).toEqual([]);
  });

  it('is idempotent by request ID, also against a live call with that ID', () => {
    const first = calls.createMissed({ requestId: 'offline-press-2', terminalId: 'XC-HT-003', at: 2000, pressedAt: 1000 });
    const again = calls.createMissed({ requestId: 'offline-press-2', terminalId: 'XC-HT-003', at: 3000, pressedAt: 1000 });
    expect(again).toEqual({ call: first.call, created: false });
    const live = calls.createOrGet({ requestId: 'live-press-3', terminalId: 'XC-HT-003', at: 4000 });
    const late = calls.createMissed({ requestId: 'live-press-3', terminalId: 'XC-HT-003', at: 5000, pressedAt: 4000 });
    expect(late).toEqual({ call: live.call, created: false });
    expect(calls.listRecent({ limit: 10 })).toHaveLength(2);
  });

  it("refuses another terminal's request ID and writes nothing", () => {
    calls.createMissed({ requestId: 'offline-press-4', terminalId: 'XC-HT-003', at: 2000, pressedAt: 1000 });
    expect(() => calls.createMissed({ requestId: 'offline-press-4', terminalId: 'XC-SCH-001', at: 2000, pressedAt: 1000 })).toThrow(/belongs to terminal/);
    expect(calls.listRecent({ limit: 10 })).toHaveLength(1);
  });
});
