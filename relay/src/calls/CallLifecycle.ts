import type { CallViewKind, EndReason } from '@helppoint/shared';

/**
 * The relay's call as data: state × event → state + actions. Pure (no I/O,
 * no clock): CallService feeds it events and turns the actions into database
 * writes, console events and terminal messages in one place (#apply). An
 * event a state does not accept returns null: logged and ignored, never a
 * crash (a late hang-up after the call ended, a second answer).
 *
 *   ringing ──answer──▶ answered ──workerLost──▶ recovering ──mediaBack──▶ answered
 *      │                   │                         │
 *      └──(end events)─────┴──────(end events)───────┴──recoveryTimeout──▶ ended
 *
 * A look-in starts answered (kind lookin) and never rings.
 */

export type LifecycleStateName = 'ringing' | 'answered' | 'recovering' | 'ended';

export interface LifecycleState {
  readonly name: LifecycleStateName;
  readonly kind: CallViewKind;
}

export interface OfficerRef {
  id: number;
  displayName: string;
}

export type EndedBy = 'officer' | 'terminal' | 'relay';

export type LifecycleEvent =
  /** The officer won the answer race in the database. */
  | { type: 'answer'; officer: OfficerRef }
  /** One console does not take it: that console stops ringing, the call rings on elsewhere. */
  | { type: 'decline'; officer: OfficerRef }
  | { type: 'officerHangup' }
  /** help.cancel from the terminal: a cancel while ringing, a hang-up once answered. */
  | { type: 'terminalHangup' }
  /** The resident pressed while an officer was looking in: the look-in ends so a help call can ring. */
  | { type: 'pressDuringLookin' }
  /** The terminal gave up recovering its media. */
  | { type: 'mediaFailed' }
  | { type: 'terminalLost' }
  /** The mediasoup worker carrying the call died (its slot now has a fresh one). */
  | { type: 'workerLost' }
  /** The terminal's media is live again on the fresh worker (re-joined). */
  | { type: 'mediaBack' }
  | { type: 'escalateTimeout' }
  | { type: 'ringTimeout' }
  | { type: 'maxDurationTimeout' }
  | { type: 'recoveryTimeout' };

export type LifecycleEventType = LifecycleEvent['type'];

export type TimerName = 'escalate' | 'ring' | 'maxDuration' | 'recovery';

export type LifecycleAction =
  | { type: 'startTimer'; timer: TimerName }
  | { type: 'stopTimer'; timer: TimerName }
  /** Mark the call escalated in the database (supervisors' consoles alert louder). */
  | { type: 'recordEscalation' }
  | { type: 'recordDecline'; officer: OfficerRef }
  | { type: 'tellTerminalAnswered'; officer: OfficerRef }
  /** Drop the media bookkeeping of the dead worker; the peers re-join on the fresh one. */
  | { type: 'forgetMedia' }
  | { type: 'recordEvent'; event: 'media_recovering' | 'media_recovered' }
  /** Write the end, tell the terminal, close the media, publish: once. */
  | { type: 'end'; reason: EndReason; endedBy: EndedBy }
  /** Tell every console (call.updated) and every listener (the transition event). */
  | { type: 'publish' };

export interface Transition {
  state: LifecycleState;
  actions: LifecycleAction[];
}

/** How a call starts: a terminal's call rings; a look-in is answered by its officer from the start. */
export function initialState(kind: CallViewKind): Transition {
  if (kind === 'lookin') return { state: { name: 'answered', kind }, actions: [{ type: 'startTimer', timer: 'maxDuration' }, { type: 'publish' }] };
  return {
    state: { name: 'ringing', kind },
    actions: [{ type: 'startTimer', timer: 'ring' }, { type: 'startTimer', timer: 'escalate' }, { type: 'publish' }],
  };
}

const ALL_TIMERS: TimerName[] = ['escalate', 'ring', 'maxDuration', 'recovery'];

function end(s: LifecycleState, reason: EndReason, endedBy: EndedBy): Transition {
  return {
    state: { name: 'ended', kind: s.kind },
    actions: [...ALL_TIMERS.map((timer): LifecycleAction => ({ type: 'stopTimer', timer })), { type: 'end', reason, endedBy }],
  };
}

const stay = (s: LifecycleState, ...actions: LifecycleAction[]): Transition => ({ state: s, actions });
const to = (s: LifecycleState, name: LifecycleStateName, ...actions: LifecycleAction[]): Transition => ({ state: { name, kind: s.kind }, actions });

type Row = { [E in LifecycleEventType]?: (s: LifecycleState, e: Extract<LifecycleEvent, { type: E }>) => Transition | null };

const TABLE: Record<LifecycleStateName, Row> = {
  ringing: {
    answer: (s, e) =>
      to(s, 'answered', { type: 'stopTimer', timer: 'ring' }, { type: 'stopTimer', timer: 'escalate' }, { type: 'startTimer', timer: 'maxDuration' }, { type: 'tellTerminalAnswered', officer: e.officer }, { type: 'publish' }),
    decline: (s, e) => stay(s, { type: 'recordDecline', officer: e.officer }, { type: 'publish' }),
    // A console may still end a ringing call outright (e.g. a supervisor clearing a test press).
    officerHangup: (s) => end(s, 'officer_hangup', 'officer'),
    terminalHangup: (s) => end(s, 'cancelled', 'terminal'),
    mediaFailed: (s) => end(s, 'media_failed', 'terminal'),
    terminalLost: (s) => end(s, 'terminal_lost', 'relay'),
    // Nobody is talking yet: ending it lets the terminal ask again at once, on the fresh worker.
    workerLost: (s) => end(s, 'media_failed', 'relay'),
    escalateTimeout: (s) => stay(s, { type: 'recordEscalation' }, { type: 'publish' }),
    ringTimeout: (s) => end(s, 'no_answer', 'relay'),
  },
  answered: {
    officerHangup: (s) => end(s, 'officer_hangup', 'officer'),
    terminalHangup: (s) => end(s, 'terminal_hangup', 'terminal'),
    pressDuringLookin: (s) => (s.kind === 'lookin' ? end(s, 'terminal_hangup', 'terminal') : null),
    mediaFailed: (s) => end(s, 'media_failed', 'terminal'),
    terminalLost: (s) => end(s, 'terminal_lost', 'relay'),
    // People are talking: keep the call and let both peers re-join on the live worker.
    workerLost: (s) => to(s, 'recovering', { type: 'forgetMedia' }, { type: 'recordEvent', event: 'media_recovering' }, { type: 'startTimer', timer: 'recovery' }, { type: 'publish' }),
    maxDurationTimeout: (s) => end(s, 'max_duration', 'relay'),
  },
  recovering: {
    mediaBack: (s) => to(s, 'answered', { type: 'stopTimer', timer: 'recovery' }, { type: 'recordEvent', event: 'media_recovered' }, { type: 'publish' }),
    officerHangup: (s) => end(s, 'officer_hangup', 'officer'),
    terminalHangup: (s) => end(s, 'terminal_hangup', 'terminal'),
    pressDuringLookin: (s) => (s.kind === 'lookin' ? end(s, 'terminal_hangup', 'terminal') : null),
    mediaFailed: (s) => end(s, 'media_failed', 'terminal'),
    terminalLost: (s) => end(s, 'terminal_lost', 'relay'),
    // The fresh worker died too: start the wait again.
    workerLost: (s) => stay(s, { type: 'forgetMedia' }, { type: 'stopTimer', timer: 'recovery' }, { type: 'startTimer', timer: 'recovery' }, { type: 'publish' }),
    maxDurationTimeout: (s) => end(s, 'max_duration', 'relay'),
    // The re-join did not happen: end as media_failed; the terminal asks again and it rings anew.
    recoveryTimeout: (s) => end(s, 'media_failed', 'relay'),
  },
  ended: {},
};

/** The next state and what to do, or null when this state does not take this event. */
export function transition(state: LifecycleState, event: LifecycleEvent): Transition | null {
  const row = TABLE[state.name];
  const cell = row[event.type] as ((s: LifecycleState, e: LifecycleEvent) => Transition | null) | undefined;
  return cell ? cell(state, event) : null;
}

export const LIFECYCLE_STATES: readonly LifecycleStateName[] = ['ringing', 'answered', 'recovering', 'ended'];
