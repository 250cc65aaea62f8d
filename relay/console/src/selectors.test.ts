import { describe, expect, it } from 'vitest';
import { callCards, END_NOTICE_MS, mediaPlan, onlineCount, recentCalls, ringingCalls, ringMode, sortedTerminals, startsRinging } from './selectors.ts';
import { applyCallUpdated, applyHello, dismissCall, initialState, setConnection, type ConsoleState } from './store.ts';
import { call, officerLi, officerWang, terminal } from './testFixtures.ts';

const wang = { id: officerWang.id, displayName: officerWang.displayName };
const li = { id: officerLi.id, displayName: officerLi.displayName };

function stateWith(calls: Parameters<typeof applyCallUpdated>[1][], now = 100_000): ConsoleState {
  const s = applyHello(
    initialState(),
    {
      user: officerWang,
      terminals: [terminal('XC-SCH-007'), terminal('XC-HT-003', { online: false }), terminal('XC-KG-002'), terminal('XC-SCH-001')],
      calls: [],
    },
    now,
  );
  return calls.reduce((acc, c) => applyCallUpdated(acc, c, now), s);
}

describe('sortedTerminals', () => {
  it('puts ringing terminals first, then those in a call, then the rest, by ID', () => {
    const s = stateWith([
      call('a', 'XC-SCH-007', { state: 'answered', answeredBy: li }),
      call('b', 'XC-KG-002'),
      call('c', 'XC-SCH-001', { state: 'ended', endReason: 'no_answer' }),
    ]);
    expect(sortedTerminals(s).map((r) => r.terminal.id)).toEqual(['XC-KG-002', 'XC-SCH-007', 'XC-HT-003', 'XC-SCH-001']);
    expect(sortedTerminals(s)[0]?.call?.id).toBe('b');
    expect(sortedTerminals(s)[3]?.call).toBeNull();
  });
});

describe('ringingCalls', () => {
  it('lists ringing calls oldest first', () => {
    const s = stateWith([call('late', 'XC-SCH-001', { createdAt: 3 }), call('early', 'XC-KG-002', { createdAt: 1 }), call('x', 'XC-SCH-007', { state: 'answered', answeredBy: li })]);
    expect(ringingCalls(s).map((c) => c.id)).toEqual(['early', 'late']);
  });
});

describe('startsRinging', () => {
  it('is true only when a call rings that did not ring before', () => {
    const quiet = stateWith([call('x', 'XC-SCH-007', { state: 'answered', answeredBy: li })]);
    const rings = applyCallUpdated(quiet, call('r', 'XC-SCH-001'), 100_000);
    expect(startsRinging(quiet, rings)).toBe(true);
    // The same call updated while it rings (its consumers offered, a producer added) is not a new ring.
    expect(startsRinging(rings, applyCallUpdated(rings, call('r', 'XC-SCH-001', { producers: [] }), 100_010))).toBe(false);
    expect(startsRinging(rings, applyCallUpdated(rings, call('r', 'XC-SCH-001', { state: 'answered', answeredBy: wang }), 100_020))).toBe(false);
    expect(startsRinging(quiet, quiet)).toBe(false);
  });
});

describe('callCards', () => {
  it('orders my call, ringing (oldest first), others, then end notices', () => {
    const s = stateWith([
      call('ring2', 'XC-SCH-001', { createdAt: 20 }),
      call('other', 'XC-SCH-007', { state: 'answered', answeredBy: li, createdAt: 5 }),
      call('ring1', 'XC-KG-002', { createdAt: 10 }),
      call('mine', 'XC-HT-003', { state: 'answered', answeredBy: wang, createdAt: 30 }),
      call('done', 'XC-HT-003', { state: 'ended', endReason: 'cancelled', createdAt: 1 }),
    ]);
    expect(callCards(s, 100_000).map((c) => [c.role, c.entry.call.id])).toEqual([
      ['mine', 'mine'],
      ['ringing', 'ring1'],
      ['ringing', 'ring2'],
      ['other', 'other'],
      ['ended', 'done'],
    ]);
  });

  it('drops an end notice after its time or when dismissed', () => {
    const s = stateWith([call('done', 'XC-HT-003', { state: 'ended', endReason: 'cancelled' })], 1_000);
    expect(callCards(s, 1_000 + END_NOTICE_MS - 1)).toHaveLength(1);
    expect(callCards(s, 1_000 + END_NOTICE_MS)).toHaveLength(0);
    expect(callCards(dismissCall(s, 'done'), 1_001)).toHaveLength(0);
  });
});

describe('recentCalls', () => {
  it('lists every call of the session newest first, capped', () => {
    const s = stateWith([call('a', 'XC-SCH-001', { createdAt: 1 }), call('b', 'XC-KG-002', { createdAt: 3, state: 'ended', endReason: 'no_answer' }), call('c', 'XC-SCH-007', { createdAt: 2 })]);
    expect(recentCalls(s).map((e) => e.call.id)).toEqual(['b', 'c', 'a']);
    expect(recentCalls(s, 2)).toHaveLength(2);
  });
});

describe('mediaPlan', () => {
  const producers = [{ id: 'v', kind: 'video' as const }, { id: 'a', kind: 'audio' as const }];

  it('previews ringing calls silently and takes full media for my call only', () => {
    const s = stateWith([
      call('ring', 'XC-SCH-001', { producers }),
      call('mine', 'XC-KG-002', { state: 'answered', answeredBy: wang, producers }),
      call('theirs', 'XC-SCH-007', { state: 'answered', answeredBy: li, producers }),
      call('over', 'XC-HT-003', { state: 'ended', endReason: 'officer_hangup' }),
    ]);
    const plan = Object.fromEntries(mediaPlan(s).map((w) => [w.callId, w]));
    expect(Object.keys(plan).sort()).toEqual(['mine', 'ring']);
    expect(plan.ring).toMatchObject({ playAudio: false, sendMic: false, producers });
    expect(plan.mine).toMatchObject({ playAudio: true, sendMic: true });
  });

  it('wants nothing while disconnected', () => {
    const s = setConnection(stateWith([call('ring', 'XC-SCH-001', { producers })]), 'reconnecting', 5);
    expect(mediaPlan(s)).toEqual([]);
  });
});

describe('ringMode and counts', () => {
  it('rings loud while idle, soft while in a call, off with nothing waiting', () => {
    expect(ringMode(stateWith([]))).toBe('off');
    expect(ringMode(stateWith([call('r', 'XC-SCH-001')]))).toBe('loud');
    expect(ringMode(stateWith([call('r', 'XC-SCH-001'), call('m', 'XC-KG-002', { state: 'answered', answeredBy: wang })]))).toBe('soft');
    expect(ringMode(setConnection(stateWith([call('r', 'XC-SCH-001')]), 'reconnecting'))).toBe('off');
  });

  it('a call this officer declined no longer rings here; one declined by someone else still does', () => {
    expect(ringMode(stateWith([call('r', 'XC-SCH-001', { declinedBy: [wang] })]))).toBe('off');
    expect(ringMode(stateWith([call('r', 'XC-SCH-001', { declinedBy: [li] })]))).toBe('loud');
    // another call still waiting rings as before
    expect(ringMode(stateWith([call('r', 'XC-SCH-001', { declinedBy: [wang] }), call('s', 'XC-KG-002')]))).toBe('loud');
    // the declined call stays in the queue: the officer may still answer it
    expect(ringingCalls(stateWith([call('r', 'XC-SCH-001', { declinedBy: [wang] })])).map((c) => c.id)).toEqual(['r']);
  });

  it('counts online terminals', () => {
    expect(onlineCount(stateWith([]))).toEqual({ online: 3, total: 4 });
  });
});
