import { describe, expect, it } from 'vitest';
import { CALL_STATES, IDLE, MAX_REDIALS, transition, type CallEvent, type CallState, type CallStateName } from './CallMachine.ts';

const at = (name: CallStateName, callId: string | null = 'c1'): CallState => ({
  name,
  callId: name === 'idle' || name === 'offline' ? null : callId,
  requestId: name === 'idle' || name === 'lookin' ? null : 'r1',
  redials: 0,
});

const EVENTS: CallEvent[] = [
  { type: 'press', requestId: 'r2' },
  { type: 'longPress' },
  { type: 'requestAccepted', callId: 'c1' },
  { type: 'requestFailed', code: 'disconnected' },
  { type: 'answered', callId: 'c1', officer: '王磊' },
  { type: 'officerAudio', callId: 'c1', producerId: 'p1' },
  { type: 'ended', callId: 'c1', reason: 'officer_hangup', freshRequestId: 'r9' },
  { type: 'disconnected', freshRequestId: 'r9' },
  { type: 'reconnected' },
  { type: 'offlineTimeout', requestId: 'r1' },
  { type: 'lookinStarted', callId: 'c1' },
  { type: 'helpDispatched', callId: 'c1' },
];

/** The whole table, written out: which events move which state, and where to. */
const EXPECTED: Record<CallStateName, Partial<Record<CallEvent['type'], CallStateName>>> = {
  idle: { press: 'requesting', lookinStarted: 'lookin', helpDispatched: 'idle' },
  requesting: { requestAccepted: 'ringing', requestFailed: 'offline', longPress: 'cancelling', disconnected: 'offline' },
  cancelling: { requestAccepted: 'idle', requestFailed: 'idle', disconnected: 'idle' },
  ringing: { helpDispatched: 'ringing', answered: 'connected', longPress: 'idle', ended: 'idle', disconnected: 'offline' },
  connected: { helpDispatched: 'connected', officerAudio: 'connected', longPress: 'idle', ended: 'idle', disconnected: 'offline' },
  offline: { reconnected: 'requesting', offlineTimeout: 'idle', longPress: 'idle' },
  lookin: { officerAudio: 'lookin', press: 'requesting', ended: 'idle', disconnected: 'idle' },
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

  it('a dispatch tells the resident help is coming, in the call or after it (state unchanged)', () => {
    for (const name of ['idle', 'ringing', 'connected'] as const) {
      const t = transition(at(name), { type: 'helpDispatched', callId: 'c1' })!;
      expect(t.actions).toEqual([{ type: 'prompt', prompt: 'help_coming' }]);
      expect(t.state.name).toBe(name);
    }
  });

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
    expect(transition(at('connected'), { type: 'ended', callId: 'other', reason: 'officer_hangup', freshRequestId: 'r9' })).toBeNull();
    expect(transition(at('connected'), { type: 'officerAudio', callId: 'other', producerId: 'p' })).toBeNull();
  });

  it('no answer tells the resident to dial 110', () => {
    const t = transition(at('ringing'), { type: 'ended', callId: 'c1', reason: 'no_answer', freshRequestId: 'r9' })!;
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

  describe('outages: the second path and asking again', () => {
    it('a press the relay cannot take says "network problem", texts the duty officers and keeps the same request', () => {
      const t = transition(at('requesting', null), { type: 'requestFailed', code: 'disconnected' })!;
      expect(t.state).toEqual({ name: 'offline', callId: null, requestId: 'r1', redials: 0 });
      expect(t.actions).toEqual([
        { type: 'led', mode: 'blink-slow' },
        { type: 'prompt', prompt: 'network_problem' },
        { type: 'sendSms', requestId: 'r1' },
      ]);
    });

    it('when the link returns while the resident waits, the same request is sent (it rings, not a new call)', () => {
      const t = transition(at('offline'), { type: 'reconnected' })!;
      expect(t.state).toMatchObject({ name: 'requesting', requestId: 'r1' });
      expect(t.actions).toContainEqual({ type: 'sendHelpRequest', requestId: 'r1' });
      expect(t.actions).toContainEqual({ type: 'prompt', prompt: 'connecting' });
    });

    it('waiting times out to idle without dropping anything (the outbox delivers it late); a stale timeout is ignored', () => {
      expect(transition(at('offline'), { type: 'offlineTimeout', requestId: 'r1' })).toEqual({ state: IDLE, actions: [{ type: 'led', mode: 'off' }] });
      expect(transition(at('offline'), { type: 'offlineTimeout', requestId: 'older' })).toBeNull();
    });

    it('a call lost with the link (relay killed mid-call) stops media and waits to ring again under a NEW request ID', () => {
      for (const name of ['ringing', 'connected'] as const) {
        const t = transition(at(name), { type: 'disconnected', freshRequestId: 'r9' })!;
        expect(t.state).toEqual({ name: 'offline', callId: null, requestId: 'r9', redials: 1 });
        expect(t.actions[0]).toEqual({ type: 'stopMedia' });
        expect(t.actions).toContainEqual({ type: 'sendSms', requestId: 'r9' });
        const back = transition(t.state, { type: 'reconnected' })!;
        expect(back.actions).toContainEqual({ type: 'sendHelpRequest', requestId: 'r9' });
      }
    });

    it('media_failed from the relay (a worker died) asks again at once with a new request ID', () => {
      const t = transition(at('connected'), { type: 'ended', callId: 'c1', reason: 'media_failed', freshRequestId: 'r9' })!;
      expect(t.state).toEqual({ name: 'requesting', callId: null, requestId: 'r9', redials: 1 });
      expect(t.actions).toEqual([
        { type: 'stopMedia' },
        { type: 'led', mode: 'blink-fast' },
        { type: 'prompt', prompt: 'connecting' },
        { type: 'sendHelpRequest', requestId: 'r9' },
      ]);
    });

    it('gives up asking again after MAX_REDIALS faults in a row (no endless loop)', () => {
      const worn: CallState = { ...at('connected'), redials: MAX_REDIALS };
      expect(transition(worn, { type: 'ended', callId: 'c1', reason: 'media_failed', freshRequestId: 'r9' })!.state).toEqual(IDLE);
      expect(transition(worn, { type: 'disconnected', freshRequestId: 'r9' })!.state).toEqual(IDLE);
    });

    it('a fresh press starts the redial count again', () => {
      expect(transition(IDLE, { type: 'press', requestId: 'r5' })!.state.redials).toBe(0);
    });
  });

  describe('look-in: an officer opens the camera without a call', () => {
    it('blinks the LED slowly and sends camera and microphone into the look-in, without a voice prompt', () => {
      const t = transition(IDLE, { type: 'lookinStarted', callId: 'L1' })!;
      expect(t.state).toEqual({ name: 'lookin', callId: 'L1', requestId: null, redials: 0 });
      expect(t.actions).toEqual([{ type: 'led', mode: 'blink-slow' }, { type: 'startMedia', callId: 'L1' }]);
    });

    it("plays the officer's talk on the speaker", () => {
      const t = transition(at('lookin', 'L1'), { type: 'officerAudio', callId: 'L1', producerId: 'p1' })!;
      expect(t.actions).toEqual([{ type: 'playOfficerAudio', callId: 'L1', producerId: 'p1' }]);
    });

    it('closing it stops media and switches the LED off quietly', () => {
      const t = transition(at('lookin', 'L1'), { type: 'ended', callId: 'L1', reason: 'officer_hangup', freshRequestId: 'r9' })!;
      expect(t.state).toEqual(IDLE);
      expect(t.actions).toEqual([{ type: 'stopMedia' }, { type: 'led', mode: 'off' }]);
    });

    it('a press during a look-in becomes a real help request that rings (blink-fast, "connecting")', () => {
      const t = transition(at('lookin', 'L1'), { type: 'press', requestId: 'r7' })!;
      expect(t.state).toEqual({ name: 'requesting', callId: null, requestId: 'r7', redials: 0 });
      expect(t.actions).toEqual([
        { type: 'stopMedia' },
        { type: 'led', mode: 'blink-fast' },
        { type: 'prompt', prompt: 'connecting' },
        { type: 'sendHelpRequest', requestId: 'r7' },
      ]);
      // the relay's end of the look-in arrives after the request: it must not disturb the new call
      expect(transition(t.state, { type: 'ended', callId: 'L1', reason: 'terminal_hangup', freshRequestId: 'r9' })).toBeNull();
    });

    it('a long press cannot end a look-in, a look-in cannot interrupt a call, and another call id is ignored', () => {
      expect(transition(at('lookin', 'L1'), { type: 'longPress' })).toBeNull();
      for (const name of ['requesting', 'ringing', 'connected', 'offline', 'cancelling'] as const) {
        expect(transition(at(name), { type: 'lookinStarted', callId: 'L2' })).toBeNull();
      }
      expect(transition(at('lookin', 'L1'), { type: 'ended', callId: 'other', reason: 'officer_hangup', freshRequestId: 'r9' })).toBeNull();
      expect(transition(at('lookin', 'L1'), { type: 'officerAudio', callId: 'other', producerId: 'p' })).toBeNull();
    });
  });
});
