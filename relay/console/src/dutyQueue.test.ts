import { describe, expect, it } from 'vitest';
import { callCards, ringingCalls, ringMode } from './selectors.ts';
import { applyCallUpdated, applyHello, initialState, setUser, type ConsoleState } from './store.ts';
import { call, officerWang, terminal } from './testFixtures.ts';
import type { UserView } from './protocolTypes.ts';

const supervisor: UserView = { id: 9, username: 'zhao', displayName: '赵所长', role: 'supervisor' };

function stateWith(user: UserView, calls: Parameters<typeof applyCallUpdated>[1][]): ConsoleState {
  const s = applyHello(initialState(), { user, terminals: [terminal('XC-SCH-001'), terminal('XC-KG-002'), terminal('XC-HT-003')], calls: [] }, 1);
  return calls.reduce((acc, c) => applyCallUpdated(acc, c, 1), s);
}

describe('the duty queue', () => {
  it('puts tamper alarms above help calls, then oldest first', () => {
    const s = stateWith(officerWang, [
      call('help-old', 'XC-SCH-001', { createdAt: 1 }),
      call('tamper-new', 'XC-KG-002', { createdAt: 5, kind: 'tamper' }),
      call('help-new', 'XC-HT-003', { createdAt: 3 }),
    ]);
    expect(ringingCalls(s).map((c) => c.id)).toEqual(['tamper-new', 'help-old', 'help-new']);
    expect(callCards(s, 2).map((c) => c.entry.call.id)).toEqual(['tamper-new', 'help-old', 'help-new']);
  });

  it('gives supervisors the urgent alert once a waiting call escalates; officers keep the normal ring', () => {
    const calm = [call('a', 'XC-SCH-001')];
    const escalated = [call('a', 'XC-SCH-001', { escalatedAt: 20_000 })];
    expect(ringMode(stateWith(supervisor, calm))).toBe('loud');
    expect(ringMode(stateWith(supervisor, escalated))).toBe('urgent');
    expect(ringMode(stateWith(officerWang, escalated))).toBe('loud');
    // Escalated but answered: nothing waits, nothing rings.
    const answered = [call('a', 'XC-SCH-001', { escalatedAt: 20_000, state: 'answered', answeredBy: { id: 1, displayName: '王警官' } })];
    expect(ringMode(stateWith(supervisor, answered))).toBe('off');
    expect(ringMode(setUser(stateWith(supervisor, escalated), { ...supervisor, role: 'admin' }))).toBe('urgent');
  });
});
