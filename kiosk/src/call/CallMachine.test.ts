import { describe, expect, it } from 'vitest';
import { CALL_STATES, IDLE, transition, type CallEvent, type CallState, type CallStateName } from './CallMachine.ts';

const at = (name: CallStateName, callId: string | null = 'c1'): CallState => ({ name, callId: name === 'idle' ? null : callId, requestId: name === 'idle' ? null : 'r1' });

const EVENTS: CallEvent[] = [
  { type: 'press', requestId: 'r2' },
  { type: 'longPress' },
  { type: 'requestAccepted', callId: 'c1' },
  { type: 'requestFailed', code: 'disconnected' },
  { type: 'answered', callId: 'c1', officer: '王磊' },
  { type: 'officerAudio', callId: 'c1', producerId: 'p1' },
  { type: 'ended', callId: 'c1', reason: 'officer_hangup' },
  { type: 'disconnected' },
];

/** The whole table, written out: which events move which state, and where to. */
const EXPECTED: Record<CallStateName, Partial<Record<CallEvent['type'], CallStateName>>> = {
  idle: { press: 'requesting' },
  requesting: { requestAccepted: 'ringing', requestFailed: 'idle', longPress: 'cancelling', disconnected: 'idle' },
  cancelling: { requestAccepted: 'idle', requestFailed: 'idle', disconnected: 'idle' },
  ringing: { answered: 'connected', longPress: 'idle', ended: 'idle', disconnected: 'idle' },
  connected: { officerAudio: 'connected', longPress: 'idle', ended: 'idle', disconnected: 'idle' },
};

describe('CallMachine', () => {
  for (const state of CALL_STATES) {
    for (const event of EVENTS) {
      const want = EXPECTED[state][event.type];
      it(`${state} × ${event.type} → ${want ?? 'ignored'}`, () => {
        const t = transition(at(state), event);
        if (!want) expect(t).toBeNull();
        else expect(t?.state.name).toBe(want);
      });
    }
  }

  it('a press blinks the LED, says "connecting" and sends one request with the press id', () => {
    const t = transition(IDLE, { type: 'press', requestId: 'req-123456' })!;
    expect(t.actions).toEqual([
      { type: 'led', mode: 'blink-fast' },
      { type: 'prompt', prompt: 'connecting' },
      { type: 'sendHelpRequest', requestId: 'req-123456' },
    ]);
    expect(t.state.requestId).toBe('req-123456');
  });

  it('starts media as soon as the relay accepts, before anyone answers (preview while ringing)', () => {
    const t = transition(at('requesting', null), { type: 'requestAccepted', callId: 'c9' })!;
    expect(t.state).toMatchObject({ name: 'ringing', callId: 'c9' });
    expect(t.actions).toEqual([{ type: 'startMedia', callId: 'c9' }]);
  });

  it('answer turns the LED steady and tells the resident', () => {
    const t = transition(at('ringing'), { type: 'answered', callId: 'c1', officer: '王磊' })!;
    expect(t.actions).toEqual([{ type: 'led', mode: 'on' }, { type: 'prompt', prompt: 'answered' }]);
  });

  it('long press while ringing cancels the call on the relay and stops media', () => {
    const t = transition(at('ringing'), { type: 'longPress' })!;
    expect(t.actions).toContainEqual({ type: 'sendCancel', callId: 'c1' });
    expect(t.actions).toContainEqual({ type: 'stopMedia' });
    expect(t.actions).toContainEqual({ type: 'led', mode: 'off' });
  });

  it('a long press before the relay answered cancels once the call id arrives', () => {
    const cancelling = transition(at('requesting', null), { type: 'longPress' })!;
    const t = transition(cancelling.state, { type: 'requestAccepted', callId: 'c5' })!;
    expect(t.state.name).toBe('idle');
    expect(t.actions).toContainEqual({ type: 'sendCancel', callId: 'c5' });
  });

  it('ignores events for another call', () => {
    expect(transition(at('ringing'), { type: 'answered', callId: 'other', officer: 'x' })).toBeNull();
    expect(transition(at('connected'), { type: 'ended', callId: 'other', reason: 'officer_hangup' })).toBeNull();
    expect(transition(at('connected'), { type: 'officerAudio', callId: 'other', producerId: 'p' })).toBeNull();
  });

  it('no answer tells the resident to dial 110', () => {
    const t = transition(at('ringing'), { type: 'ended', callId: 'c1', reason: 'no_answer' })!;
    expect(t.actions).toContainEqual({ type: 'prompt', prompt: 'no_answer' });
  });

  it('every way back to idle switches the LED off', () => {
    for (const state of CALL_STATES) {
      for (const event of EVENTS) {
        const t = transition(at(state), event);
        if (t && t.state.name === 'idle' && state !== 'idle') expect(t.actions).toContainEqual({ type: 'led', mode: 'off' });
      }
    }
  });
});
