import { describe, expect, it } from 'vitest';
import { applyCallUpdated, applyHello, applyTerminalStatus, dismissCall, initialState, setConnection } from './store.ts';
import { call, officerWang, terminal } from './testFixtures.ts';

const hello = (calls = [call('c1', 'XC-HT-003')]) => ({
  user: officerWang,
  terminals: [terminal('XC-SCH-001'), terminal('XC-HT-003', { online: false })],
  calls,
});

describe('applyHello', () => {
  it('loads the user, terminals and open calls and marks the console connected', () => {
    const s = applyHello(initialState(), hello(), 5_000);
    expect(s.connection).toBe('connected');
    expect(s.user).toEqual(officerWang);
    expect(Object.keys(s.terminals).sort()).toEqual(['XC-HT-003', 'XC-SCH-001']);
    expect(s.calls.c1?.call.state).toBe('ringing');
    expect(s.calls.c1?.firstSeenAt).toBe(5_000);
  });

  it('on reconnect, ends calls the relay no longer lists, with an unknown reason', () => {
    const first = applyHello(initialState(), hello(), 5_000);
    const again = applyHello(setConnection(first, 'reconnecting', 9_000), hello([]), 20_000);
    const c1 = again.calls.c1;
    expect(c1?.call.state).toBe('ended');
    expect(c1?.call.endReason).toBeNull();
    expect(c1?.endedWhileAway).toBe(true);
    expect(c1?.endedSeenAt).toBe(20_000);
    expect(again.reconnectAt).toBeNull();
  });

  it('keeps the first-seen time of a call that is still open after a reconnect', () => {
    const first = applyHello(initialState(), hello(), 5_000);
    const again = applyHello(first, hello([call('c1', 'XC-HT-003', { state: 'answered', answeredBy: { id: 2, displayName: '李警官' } })]), 8_000);
    expect(again.calls.c1?.firstSeenAt).toBe(5_000);
    expect(again.calls.c1?.call.answeredBy?.displayName).toBe('李警官');
  });

  it('replaces the terminal list (a removed terminal disappears)', () => {
    const first = applyHello(initialState(), hello(), 5_000);
    const again = applyHello(first, { user: officerWang, terminals: [terminal('XC-SCH-001')], calls: [] }, 6_000);
    expect(Object.keys(again.terminals)).toEqual(['XC-SCH-001']);
  });
});

describe('applyTerminalStatus', () => {
  it('updates online and last seen', () => {
    const s = applyTerminalStatus(applyHello(initialState(), hello(), 0), { terminalId: 'XC-HT-003', online: true, lastSeenAt: 42 });
    expect(s.terminals['XC-HT-003']).toMatchObject({ online: true, lastSeenAt: 42 });
  });

  it('ignores unknown terminals and no-op updates', () => {
    const s = applyHello(initialState(), hello(), 0);
    expect(applyTerminalStatus(s, { terminalId: 'XC-XX-999', online: true, lastSeenAt: 1 })).toBe(s);
    expect(applyTerminalStatus(s, { terminalId: 'XC-SCH-001', online: true, lastSeenAt: 1_000 })).toBe(s);
  });
});

describe('applyCallUpdated', () => {
  const base = applyHello(initialState(), hello([]), 0);

  it('adds a new ringing call and then its producers', () => {
    let s = applyCallUpdated(base, call('c2', 'XC-SCH-001'), 100);
    expect(s.calls.c2?.call.producers).toEqual([]);
    s = applyCallUpdated(s, call('c2', 'XC-SCH-001', { producers: [{ id: 'p1', kind: 'video' }] }), 200);
    expect(s.calls.c2?.call.producers).toEqual([{ id: 'p1', kind: 'video' }]);
    expect(s.calls.c2?.firstSeenAt).toBe(100);
  });

  it('ignores a stale update that would move a call backwards', () => {
    const answered = applyCallUpdated(base, call('c2', 'XC-SCH-001', { state: 'answered', answeredBy: { id: 2, displayName: '李警官' } }), 100);
    expect(applyCallUpdated(answered, call('c2', 'XC-SCH-001'), 200)).toBe(answered);
    const ended = applyCallUpdated(answered, call('c2', 'XC-SCH-001', { state: 'ended', endReason: 'officer_hangup' }), 300);
    expect(applyCallUpdated(ended, call('c2', 'XC-SCH-001', { state: 'answered' }), 400)).toBe(ended);
    expect(applyCallUpdated(ended, call('c2', 'XC-SCH-001', { state: 'ended', endReason: 'no_answer' }), 400)).toBe(ended);
  });

  it('records when this console learned the call ended', () => {
    const s = applyCallUpdated(base, call('c2', 'XC-SCH-001', { state: 'ended', endReason: 'cancelled' }), 777);
    expect(s.calls.c2?.endedSeenAt).toBe(777);
    expect(s.calls.c2?.call.endReason).toBe('cancelled');
  });

  it('lets the real end reason replace an unknown one learned on reconnect', () => {
    const first = applyHello(initialState(), hello(), 5_000);
    const away = applyHello(first, hello([]), 6_000);
    const s = applyCallUpdated(away, call('c1', 'XC-HT-003', { state: 'ended', endReason: 'terminal_hangup' }), 7_000);
    expect(s.calls.c1?.call.endReason).toBe('terminal_hangup');
    expect(s.calls.c1?.endedWhileAway).toBe(false);
    expect(s.calls.c1?.endedSeenAt).toBe(6_000);
  });

  it('learns a terminal it has not seen from the call', () => {
    const s = applyCallUpdated(base, call('c3', 'XC-KG-002'), 1);
    expect(s.terminals['XC-KG-002']?.id).toBe('XC-KG-002');
  });

  it('does not overwrite a known terminal with the copy inside the call', () => {
    const s = applyCallUpdated(base, call('c3', 'XC-HT-003', { terminal: terminal('XC-HT-003', { online: true, name: 'stale' }) }), 1);
    expect(s.terminals['XC-HT-003']?.online).toBe(false);
  });
});

describe('dismissCall', () => {
  it('marks a call dismissed once', () => {
    const s = applyCallUpdated(applyHello(initialState(), hello([]), 0), call('c9', 'XC-SCH-001', { state: 'ended', endReason: 'no_answer', answeredBy: null }), 1);
    const d = dismissCall(s, 'c9');
    expect(d.calls.c9?.dismissed).toBe(true);
    expect(dismissCall(d, 'c9')).toBe(d);
    expect(dismissCall(d, 'nope')).toBe(d);
  });

  it('keeps dismissal across later updates', () => {
    let s = applyCallUpdated(applyHello(initialState(), hello([]), 0), call('c9', 'XC-SCH-001'), 1);
    s = dismissCall(s, 'c9');
    s = applyCallUpdated(s, call('c9', 'XC-SCH-001', { state: 'ended', endReason: 'cancelled' }), 2);
    expect(s.calls.c9?.dismissed).toBe(true);
  });
});
