import { describe, expect, it } from 'vitest';
import { addMissed, calledBack, emptyMissed, loadMissed, missedFromCall, type MissedCallView } from './missedCalls.ts';
import { call } from './testFixtures.ts';

const missed = (callId: string, pressedAt: number): MissedCallView => ({
  callId,
  terminalId: 'XC-HT-003',
  terminalName: '烟袋斜街 东口',
  terminalNameEn: 'Yandai Xiejie',
  address: '北京市西城区',
  pressedAt,
  deliveredAt: pressedAt + 60_000,
});

describe('missed calls to call back', () => {
  it('takes a live missed call with its press time and ignores every other update', () => {
    const late = call('c1', 'XC-KG-002', { state: 'ended', endReason: 'missed', pressedAt: 5_000, createdAt: 90_000, endedAt: 90_000 });
    expect(missedFromCall(late)).toMatchObject({ callId: 'c1', terminalId: 'XC-KG-002', pressedAt: 5_000, deliveredAt: 90_000, address: expect.any(String) });
    expect(missedFromCall(call('c2', 'XC-KG-002'))).toBeNull();
    expect(missedFromCall(call('c3', 'XC-KG-002', { state: 'ended', endReason: 'no_answer' }))).toBeNull();
  });

  it('keeps the latest press first and each call once', () => {
    let s = loadMissed(emptyMissed(), [missed('a', 1_000), missed('b', 3_000), missed('a', 1_000)]);
    s = addMissed(s, missed('c', 2_000));
    s = addMissed(s, missed('b', 3_000));
    expect(s.items.map((m) => m.callId)).toEqual(['b', 'c', 'a']);
  });

  it('a call called back (here or on another console) leaves the list and does not come back', () => {
    let s = loadMissed(emptyMissed(), [missed('a', 1_000), missed('b', 2_000)]);
    s = calledBack(s, 'a');
    expect(s.items.map((m) => m.callId)).toEqual(['b']);
    expect(calledBack(s, 'a')).toBe(s);
    expect(addMissed(s, missed('a', 1_000)).items.map((m) => m.callId)).toEqual(['b']);
    // a reload that raced the mark still leaves it out
    expect(loadMissed(s, [missed('a', 1_000), missed('b', 2_000)]).items.map((m) => m.callId)).toEqual(['b']);
  });
});
