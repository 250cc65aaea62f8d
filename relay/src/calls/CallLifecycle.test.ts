import { describe, expect, it } from 'vitest';
import { LIFECYCLE_STATES, initialState, transition, type LifecycleEvent, type LifecycleStateName } from './CallLifecycle.ts';

const officer = { id: 7, displayName: '王警官' };
const EVENTS: LifecycleEvent[] = [
  { type: 'answer', officer },
  { type: 'decline', officer },
  { type: 'officerHangup' },
  { type: 'terminalHangup' },
  { type: 'pressDuringLookin' },
  { type: 'mediaFailed' },
  { type: 'terminalLost' },
  { type: 'workerLost' },
  { type: 'mediaBack' },
  { type: 'escalateTimeout' },
  { type: 'ringTimeout' },
  { type: 'maxDurationTimeout' },
  { type: 'recoveryTimeout' },
];

// Every cell of the table for a help call: the next state, or the end reason, or '-' (ignored).
const EXPECTED: Record<LifecycleStateName, Record<LifecycleEvent['type'], string>> = {
  ringing: {
    answer: 'answered', decline: 'ringing', officerHangup: 'ended:officer_hangup', terminalHangup: 'ended:cancelled', pressDuringLookin: '-',
    mediaFailed: 'ended:media_failed', terminalLost: 'ended:terminal_lost', workerLost: 'ended:media_failed', mediaBack: '-',
    escalateTimeout: 'ringing', ringTimeout: 'ended:no_answer', maxDurationTimeout: '-', recoveryTimeout: '-',
  },
  answered: {
    answer: '-', decline: '-', officerHangup: 'ended:officer_hangup', terminalHangup: 'ended:terminal_hangup', pressDuringLookin: '-',
    mediaFailed: 'ended:media_failed', terminalLost: 'ended:terminal_lost', workerLost: 'recovering', mediaBack: '-',
    escalateTimeout: '-', ringTimeout: '-', maxDurationTimeout: 'ended:max_duration', recoveryTimeout: '-',
  },
  recovering: {
    answer: '-', decline: '-', officerHangup: 'ended:officer_hangup', terminalHangup: 'ended:terminal_hangup', pressDuringLookin: '-',
    mediaFailed: 'ended:media_failed', terminalLost: 'ended:terminal_lost', workerLost: 'recovering', mediaBack: 'answered',
    escalateTimeout: '-', ringTimeout: '-', maxDurationTimeout: 'ended:max_duration', recoveryTimeout: 'ended:media_failed',
  },
  ended: {
    answer: '-', decline: '-', officerHangup: '-', terminalHangup: '-', pressDuringLookin: '-', mediaFailed: '-', terminalLost: '-',
    workerLost: '-', mediaBack: '-', escalateTimeout: '-', ringTimeout: '-', maxDurationTimeout: '-', recoveryTimeout: '-',
  },
};

function outcome(name: LifecycleStateName, kind: 'help' | 'tamper' | 'lookin', e: LifecycleEvent): string {
  const t = transition({ name, kind }, e);
  if (!t) return '-';
  const end = t.actions.find((a) => a.type === 'end');
  return end && end.type === 'end' ? `ended:${end.reason}` : t.state.name;
}

describe('the relay call lifecycle table', () => {
  it('every state × event of a help (and tamper) call', () => {
    for (const kind of ['help', 'tamper'] as const) {
      for (const s of LIFECYCLE_STATES) {
        const got = Object.fromEntries(EVENTS.map((e) => [e.type, outcome(s, kind, e)]));
        expect({ kind, s, got }).toEqual({ kind, s, got: EXPECTED[s] });
      }
    }
  });
  it('a look-in differs only where a press ends it', () => {
    for (const s of LIFECYCLE_STATES) {
      for (const e of EVENTS) {
        const want = e.type === 'pressDuringLookin' && (s === 'answered' || s === 'recovering') ? 'ended:terminal_hangup' : EXPECTED[s][e.type];
        expect([s, e.type, outcome(s, 'lookin', e)]).toEqual([s, e.type, want]);
      }
    }
  });
  it('calls start where they should: terminal calls ring with both timers, look-ins are answered', () => {
    const help = initialState('tamper');
    expect(help.state).toEqual({ name: 'ringing', kind: 'tamper' });
    expect(help.actions).toEqual([{ type: 'startTimer', timer: 'ring' }, { type: 'startTimer', timer: 'escalate' }, { type: 'publish' }]);
    expect(initialState('lookin').state.name).toBe('answered');
  });
  it('ending stops every timer before it ends, exactly once', () => {
    for (const s of LIFECYCLE_STATES) {
      for (const e of EVENTS) {
        const t = transition({ name: s, kind: 'help' }, e);
        const ends = t?.actions.filter((a) => a.type === 'end') ?? [];
        if (!ends.length) continue;
        expect(ends).toHaveLength(1);
        const stopped = t!.actions.slice(0, t!.actions.indexOf(ends[0]!)).filter((a) => a.type === 'stopTimer').map((a) => (a.type === 'stopTimer' ? a.timer : ''));
        expect(new Set(stopped)).toEqual(new Set(['escalate', 'ring', 'maxDuration', 'recovery']));
        expect(t!.state.name).toBe('ended');
      }
    }
  });
  it('answering swaps the ring timers for the maximum length and tells the terminal who', () => {
    const t = transition({ name: 'ringing', kind: 'help' }, { type: 'answer', officer })!;
    expect(t.actions).toEqual([
      { type: 'stopTimer', timer: 'ring' },
      { type: 'stopTimer', timer: 'escalate' },
      { type: 'startTimer', timer: 'maxDuration' },
      { type: 'tellTerminalAnswered', officer },
      { type: 'publish' },
    ]);
  });
  it('a decline is recorded and the call keeps ringing with its timers', () => {
    const t = transition({ name: 'ringing', kind: 'help' }, { type: 'decline', officer })!;
    expect(t.state.name).toBe('ringing');
    expect(t.actions).toEqual([{ type: 'recordDecline', officer }, { type: 'publish' }]);
  });
  it('a lost worker under an answered call waits for the re-join instead of ending it', () => {
    const t = transition({ name: 'answered', kind: 'help' }, { type: 'workerLost' })!;
    expect(t.actions.map((a) => a.type)).toEqual(['forgetMedia', 'recordEvent', 'startTimer', 'publish']);
    const back = transition(t.state, { type: 'mediaBack' })!;
    expect(back.state.name).toBe('answered');
    expect(back.actions).toContainEqual({ type: 'stopTimer', timer: 'recovery' });
  });
});
