import type { EndReason } from '@helppoint/shared';

/**
 * The terminal's call state as data: a transition table, no I/O. The
 * controller feeds events in and carries out the actions that come back.
 */
export type CallStateName = 'idle' | 'requesting' | 'cancelling' | 'ringing' | 'connected' | 'offline' | 'lookin';

export interface CallState {
  name: CallStateName;
  /** Set once the relay has accepted the request. */
  callId: string | null;
  /** Idempotency key of the press that started this call. */
  requestId: string | null;
  /** Automatic new requests after a lost call (relay restart, media failure); capped. */
  redials: number;
}

export type CallEvent =
  | { type: 'press'; requestId: string }
  | { type: 'longPress' }
  | { type: 'requestAccepted'; callId: string }
  | { type: 'requestFailed'; code: string }
  | { type: 'answered'; callId: string; officer: string }
  | { type: 'officerAudio'; callId: string; producerId: string }
  | { type: 'ended'; callId: string; reason: EndReason; freshRequestId: string }
  // freshRequestId: the controller supplies a new idempotency key in case the machine must ask again
  | { type: 'disconnected'; freshRequestId: string }
  | { type: 'reconnected' }
  | { type: 'offlineTimeout'; requestId: string }
  // look-in: an officer opened this terminal's camera without a call
  | { type: 'lookinStarted'; callId: string }
  // dispatch (issue 13): someone was sent to this terminal
  | { type: 'helpDispatched'; callId: string };

export type Prompt = 'connecting' | 'answered' | 'cancelled' | 'ended' | 'no_answer' | 'failed' | 'network_problem' | 'help_coming';

export type CallAction =
  | { type: 'led'; mode: 'off' | 'on' | 'blink-slow' | 'blink-fast' }
  | { type: 'prompt'; prompt: Prompt }
  | { type: 'sendHelpRequest'; requestId: string }
  | { type: 'sendCancel'; callId: string }
  /** The second path: text the station's duty numbers about this press (once per requestId). */
  | { type: 'sendSms'; requestId: string }
  | { type: 'startMedia'; callId: string }
  | { type: 'playOfficerAudio'; callId: string; producerId: string }
  | { type: 'stopMedia' };

export interface Transition {
  state: CallState;
  actions: CallAction[];
}

export const IDLE: CallState = { name: 'idle', callId: null, requestId: null, redials: 0 };

/** A call lost to a fault is asked for again at most this often before giving up (SMS already went). */
export const MAX_REDIALS = 3;

const toIdle = (actions: CallAction[]): Transition => ({
  state: IDLE,
  actions: [...actions, { type: 'led', mode: 'off' }],
});

/**
 * The relay is unreachable (or refused) while the resident needs help: say so,
 * text the duty officers, and wait for the link with the request kept. The
 * outbox holds it durably; the controller times the wait out.
 */
const toOffline = (s: CallState, requestId: string, before: CallAction[] = []): Transition => ({
  state: { name: 'offline', callId: null, requestId, redials: s.redials },
  actions: [...before, { type: 'led', mode: 'blink-slow' }, { type: 'prompt', prompt: 'network_problem' }, { type: 'sendSms', requestId }],
});

/** Ask again with a new request: the old call is gone on the relay (it ended it with a reason). */
const redial = (s: CallState, requestId: string, before: CallAction[]): Transition => {
  if (s.redials >= MAX_REDIALS) return toIdle([...before, { type: 'prompt', prompt: 'failed' }]);
  return {
    state: { name: 'requesting', callId: null, requestId, redials: s.redials + 1 },
    actions: [...before, { type: 'led', mode: 'blink-fast' }, { type: 'prompt', prompt: 'connecting' }, { type: 'sendHelpRequest', requestId }],
  };
};

/** A drop mid-call: the resident still needs help, under a new request ID. */
const lostCall = (s: CallState, e: CallEvent): Transition => {
  const fresh = (e as Extract<CallEvent, { type: 'disconnected' }>).freshRequestId;
  if (s.redials >= MAX_REDIALS) return toIdle([{ type: 'stopMedia' }, { type: 'prompt', prompt: 'network_problem' }]);
  return toOffline({ ...s, redials: s.redials + 1 }, fresh, [{ type: 'stopMedia' }]);
};

/** The relay ended the call. A media failure is the relay's fault, not the resident's choice: ask again. */
const endedCall = (s: CallState, e: CallEvent): Transition | null => {
  const ev = e as Extract<CallEvent, { type: 'ended' }>;
  if (ev.callId !== s.callId) return null;
  if (ev.reason === 'media_failed') return redial(s, ev.freshRequestId, [{ type: 'stopMedia' }]);
  return toIdle([{ type: 'stopMedia' }, { type: 'prompt', prompt: endPrompt(ev.reason) }]);
};

const playOfficer = (s: CallState, e: CallEvent): Transition | null => {
  const ev = e as Extract<CallEvent, { type: 'officerAudio' }>;
  if (ev.callId !== s.callId) return null;
  return { state: s, actions: [{ type: 'playOfficerAudio', callId: ev.callId, producerId: ev.producerId }] };
};

/** Help is on the way: said during the call, or after it ended (the resident may still be there). State unchanged. */
const helpComing = (s: CallState): Transition => ({ state: s, actions: [{ type: 'prompt', prompt: 'help_coming' }] });

const endPrompt = (reason: EndReason): Prompt => (reason === 'no_answer' ? 'no_answer' : reason === 'cancelled' ? 'cancelled' : 'ended');

type Handler = (state: CallState, event: CallEvent) => Transition | null;
type Table = { [S in CallStateName]: Partial<{ [E in CallEvent['type']]: Handler }> };

/**
 * state × event → next state + actions. A missing entry means the event is
 * not meaningful in that state (a press during a call, a late answer): it is
 * ignored, and the controller logs it.
 */
const TABLE: Table = {
  idle: {
    helpDispatched: helpComing,
    lookinStarted: (_s, e) => {
      const callId = (e as Extract<CallEvent, { type: 'lookinStarted' }>).callId;
      return { state: { name: 'lookin', callId, requestId: null, redials: 0 }, actions: [{ type: 'led', mode: 'blink-slow' }, { type: 'startMedia', callId }] };
    },
    press: (_s, e) => {
      const requestId = (e as Extract<CallEvent, { type: 'press' }>).requestId;
      return {
        state: { name: 'requesting', callId: null, requestId, redials: 0 },
        actions: [
          { type: 'led', mode: 'blink-fast' },
          { type: 'prompt', prompt: 'connecting' },
          { type: 'sendHelpRequest', requestId },
        ],
      };
    },
  },
  requesting: {
    requestAccepted: (s, e) => {
      const callId = (e as Extract<CallEvent, { type: 'requestAccepted' }>).callId;
      return { state: { ...s, name: 'ringing', callId }, actions: [{ type: 'startMedia', callId }] };
    },
    // Any failure takes the second path; the same requestId is delivered once the link is back.
    requestFailed: (s) => toOffline(s, s.requestId!),
    // The resident gave up before the relay answered: cancel as soon as we learn the call id.
    longPress: (s) => ({ state: { ...s, name: 'cancelling' }, actions: [{ type: 'prompt', prompt: 'cancelled' }] }),
    disconnected: (s) => toOffline(s, s.requestId!),
  },
  offline: {
    reconnected: (s) => ({
      state: { ...s, name: 'requesting' },
      actions: [{ type: 'led', mode: 'blink-fast' }, { type: 'prompt', prompt: 'connecting' }, { type: 'sendHelpRequest', requestId: s.requestId! }],
    }),
    // The resident stopped waiting; the outbox still delivers the press as a missed call.
    offlineTimeout: (s, e) => ((e as Extract<CallEvent, { type: 'offlineTimeout' }>).requestId === s.requestId ? toIdle([]) : null),
    longPress: () => toIdle([{ type: 'prompt', prompt: 'cancelled' }]),
  },
  cancelling: {
    requestAccepted: (_s, e) => toIdle([{ type: 'sendCancel', callId: (e as Extract<CallEvent, { type: 'requestAccepted' }>).callId }]),
    requestFailed: () => toIdle([]),
    disconnected: () => toIdle([]),
  },
  ringing: {
    helpDispatched: helpComing,
    answered: (s, e) => {
      if ((e as Extract<CallEvent, { type: 'answered' }>).callId !== s.callId) return null;
      return { state: { ...s, name: 'connected' }, actions: [{ type: 'led', mode: 'on' }, { type: 'prompt', prompt: 'answered' }] };
    },
    longPress: (s) => toIdle([{ type: 'sendCancel', callId: s.callId! }, { type: 'stopMedia' }, { type: 'prompt', prompt: 'cancelled' }]),
    ended: (s, e) => endedCall(s, e),
    disconnected: lostCall,
  },
  // An officer looks in: camera and microphone go to the station, the LED
  // blinks slowly so anyone at the terminal can see it is watched. No voice
  // prompt: the LED is the notice, the audit log the record.
  lookin: {
    officerAudio: playOfficer,
    // The resident needs help now: stop the look-in and ring every console
    // as a real call (the relay ends the look-in when the request arrives).
    press: (_s, e) => {
      const requestId = (e as Extract<CallEvent, { type: 'press' }>).requestId;
      return {
        state: { name: 'requesting', callId: null, requestId, redials: 0 },
        actions: [{ type: 'stopMedia' }, { type: 'led', mode: 'blink-fast' }, { type: 'prompt', prompt: 'connecting' }, { type: 'sendHelpRequest', requestId }],
      };
    },
    ended: (s, e) => ((e as Extract<CallEvent, { type: 'ended' }>).callId === s.callId ? toIdle([{ type: 'stopMedia' }]) : null),
    disconnected: () => toIdle([{ type: 'stopMedia' }]),
  },
  connected: {
    helpDispatched: helpComing,
    officerAudio: playOfficer,
    longPress: (s) => toIdle([{ type: 'sendCancel', callId: s.callId! }, { type: 'stopMedia' }, { type: 'prompt', prompt: 'ended' }]),
    ended: (s, e) => endedCall(s, e),
    disconnected: lostCall,
  },
};

/** Returns the transition, or null when the event is ignored in this state. */
export function transition(state: CallState, event: CallEvent): Transition | null {
  const handler = TABLE[state.name][event.type];
  return handler ? handler(state, event) : null;
}

export const CALL_STATES = Object.keys(TABLE) as CallStateName[];
