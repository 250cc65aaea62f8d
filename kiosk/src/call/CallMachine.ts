import type { EndReason } from '@helppoint/shared';

/**
 * The terminal's call state as data: a transition table, no I/O. The
 * controller feeds events in and carries out the actions that come back.
 */
export type CallStateName = 'idle' | 'requesting' | 'cancelling' | 'ringing' | 'connected';

export interface CallState {
  name: CallStateName;
  /** Set once the relay has accepted the request. */
  callId: string | null;
  /** Idempotency key of the press that started this call. */
  requestId: string | null;
}

export type CallEvent =
  | { type: 'press'; requestId: string }
  | { type: 'longPress' }
  | { type: 'requestAccepted'; callId: string }
  | { type: 'requestFailed'; code: string }
  | { type: 'answered'; callId: string; officer: string }
  | { type: 'officerAudio'; callId: string; producerId: string }
  | { type: 'ended'; callId: string; reason: EndReason }
  | { type: 'disconnected' };

export type Prompt = 'connecting' | 'answered' | 'cancelled' | 'ended' | 'no_answer' | 'failed' | 'network_problem';

export type CallAction =
  | { type: 'led'; mode: 'off' | 'on' | 'blink-slow' | 'blink-fast' }
  | { type: 'prompt'; prompt: Prompt }
  | { type: 'sendHelpRequest'; requestId: string }
  | { type: 'sendCancel'; callId: string }
  | { type: 'startMedia'; callId: string }
  | { type: 'playOfficerAudio'; callId: string; producerId: string }
  | { type: 'stopMedia' };

export interface Transition {
  state: CallState;
  actions: CallAction[];
}

export const IDLE: CallState = { name: 'idle', callId: null, requestId: null };

const toIdle = (actions: CallAction[]): Transition => ({
  state: IDLE,
  actions: [...actions, { type: 'led', mode: 'off' }],
});

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
    press: (_s, e) => {
      const requestId = (e as Extract<CallEvent, { type: 'press' }>).requestId;
      return {
        state: { name: 'requesting', callId: null, requestId },
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
    requestFailed: () => toIdle([{ type: 'prompt', prompt: 'failed' }]),
    // The resident gave up before the relay answered: cancel as soon as we learn the call id.
    longPress: (s) => ({ state: { ...s, name: 'cancelling' }, actions: [{ type: 'prompt', prompt: 'cancelled' }] }),
    disconnected: () => toIdle([{ type: 'prompt', prompt: 'network_problem' }]),
  },
  cancelling: {
    requestAccepted: (_s, e) => toIdle([{ type: 'sendCancel', callId: (e as Extract<CallEvent, { type: 'requestAccepted' }>).callId }]),
    requestFailed: () => toIdle([]),
    disconnected: () => toIdle([]),
  },
  ringing: {
    answered: (s, e) => {
      if ((e as Extract<CallEvent, { type: 'answered' }>).callId !== s.callId) return null;
      return { state: { ...s, name: 'connected' }, actions: [{ type: 'led', mode: 'on' }, { type: 'prompt', prompt: 'answered' }] };
    },
    longPress: (s) => toIdle([{ type: 'sendCancel', callId: s.callId! }, { type: 'stopMedia' }, { type: 'prompt', prompt: 'cancelled' }]),
    ended: (s, e) => {
      const ev = e as Extract<CallEvent, { type: 'ended' }>;
      if (ev.callId !== s.callId) return null;
      return toIdle([{ type: 'stopMedia' }, { type: 'prompt', prompt: endPrompt(ev.reason) }]);
    },
    disconnected: () => toIdle([{ type: 'stopMedia' }, { type: 'prompt', prompt: 'network_problem' }]),
  },
  connected: {
    officerAudio: (s, e) => {
      const ev = e as Extract<CallEvent, { type: 'officerAudio' }>;
      if (ev.callId !== s.callId) return null;
      return { state: s, actions: [{ type: 'playOfficerAudio', callId: ev.callId, producerId: ev.producerId }] };
    },
    longPress: (s) => toIdle([{ type: 'sendCancel', callId: s.callId! }, { type: 'stopMedia' }, { type: 'prompt', prompt: 'ended' }]),
    ended: (s, e) => {
      const ev = e as Extract<CallEvent, { type: 'ended' }>;
      if (ev.callId !== s.callId) return null;
      return toIdle([{ type: 'stopMedia' }, { type: 'prompt', prompt: endPrompt(ev.reason) }]);
    },
    disconnected: () => toIdle([{ type: 'stopMedia' }, { type: 'prompt', prompt: 'network_problem' }]),
  },
};

/** Returns the transition, or null when the event is ignored in this state. */
export function transition(state: CallState, event: CallEvent): Transition | null {
  const handler = TABLE[state.name][event.type];
  return handler ? handler(state, event) : null;
}

export const CALL_STATES = Object.keys(TABLE) as CallStateName[];
