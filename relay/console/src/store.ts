import type { CallView, HelloResult, TerminalStatusEvent, TerminalView, UserView } from './protocolTypes.ts';

export type ConnectionState = 'signed-out' | 'connecting' | 'connected' | 'reconnecting';

/** One call as this console knows it. Local clock times are for display timing only. */
export interface CallEntry {
  call: CallView;
  /** Local time this console first heard of the call. */
  firstSeenAt: number;
  /** Local time this console learned the call ended (drives the short end notice). */
  endedSeenAt: number | null;
  /** The call vanished from the relay while we were disconnected: its end reason is unknown. */
  endedWhileAway: boolean;
  /** The officer closed the end notice by hand. */
  dismissed: boolean;
  /** Look-ins: the officer switched 对讲 Talk on (their microphone goes to the terminal's speaker). */
  talk?: boolean;
}

export interface ConsoleState {
  connection: ConnectionState;
  /** Local time of the next reconnect attempt while reconnecting. */
  reconnectAt: number | null;
  user: UserView | null;
  terminals: Readonly<Record<string, TerminalView>>;
  calls: Readonly<Record<string, CallEntry>>;
}

export function initialState(): ConsoleState {
  return { connection: 'signed-out', reconnectAt: null, user: null, terminals: {}, calls: {} };
}

const STATE_RANK = { ringing: 0, answered: 1, ended: 2 } as const;

export function setConnection(state: ConsoleState, connection: ConnectionState, reconnectAt: number | null = null): ConsoleState {
  if (state.connection === connection && state.reconnectAt === reconnectAt) return state;
  return { ...state, connection, reconnectAt };
}

export function setUser(state: ConsoleState, user: UserView | null): ConsoleState {
  return { ...state, user };
}

/**
 * The relay's hello is the truth after every (re)connect: terminals are
 * replaced, open calls are upserted, and calls we still thought open but the
 * relay no longer lists ended while we were away.
 */
export function applyHello(state: ConsoleState, hello: Pick<HelloResult, 'user' | 'terminals' | 'calls'>, now: number): ConsoleState {
  const terminals: Record<string, TerminalView> = {};
  for (const t of hello.terminals) terminals[t.id] = t;
  const open = new Set(hello.calls.map((c) => c.id));
  const calls: Record<string, CallEntry> = {};
  for (const [id, entry] of Object.entries(state.calls)) {
    if (open.has(id) || entry.call.state === 'ended') calls[id] = entry;
    else {
      calls[id] = {
        ...entry,
        call: { ...entry.call, state: 'ended', producers: [], endReason: null, endedAt: null },
        endedSeenAt: now,
        endedWhileAway: true,
      };
    }
  }
  let next: ConsoleState = { ...state, user: hello.user, terminals, calls, connection: 'connected', reconnectAt: null };
  for (const call of hello.calls) next = applyCallUpdated(next, call, now);
  return next;
}

export function applyTerminalStatus(state: ConsoleState, event: TerminalStatusEvent): ConsoleState {
  const t = state.terminals[event.terminalId];
  if (!t) return state; // unknown terminal: the next hello brings its record
  if (t.online === event.online && t.lastSeenAt === event.lastSeenAt) return state;
  return { ...state, terminals: { ...state.terminals, [t.id]: { ...t, online: event.online, lastSeenAt: event.lastSeenAt } } };
}

/**
 * Every call.updated carries the full call. A view that would move a call
 * backwards (a late "ringing" after "answered") is stale and ignored.
 */
export function applyCallUpdated(state: ConsoleState, call: CallView, now: number): ConsoleState {
  const prev = state.calls[call.id];
  if (prev && STATE_RANK[call.state] < STATE_RANK[prev.call.state]) return state;
  if (prev && prev.call.state === 'ended' && !prev.endedWhileAway) return state;
  const becameEnded = call.state === 'ended' && prev?.call.state !== 'ended';
  const entry: CallEntry = {
    call,
    firstSeenAt: prev?.firstSeenAt ?? now,
    endedSeenAt: call.state === 'ended' ? (becameEnded ? now : (prev?.endedSeenAt ?? now)) : null,
    endedWhileAway: false,
    dismissed: prev?.dismissed ?? false,
    ...(prev?.talk ? { talk: true } : {}),
  };
  const terminals = state.terminals[call.terminal.id] ? state.terminals : { ...state.terminals, [call.terminal.id]: call.terminal };
  return { ...state, terminals, calls: { ...state.calls, [call.id]: entry } };
}

export function dismissCall(state: ConsoleState, callId: string): ConsoleState {
  const entry = state.calls[callId];
  if (!entry || entry.dismissed) return state;
  return { ...state, calls: { ...state.calls, [callId]: { ...entry, dismissed: true } } };
}

/** 对讲 Talk on or off in a look-in. */
export function setTalk(state: ConsoleState, callId: string, talk: boolean): ConsoleState {
  const entry = state.calls[callId];
  if (!entry || (entry.talk ?? false) === talk) return state;
  return { ...state, calls: { ...state.calls, [callId]: { ...entry, talk } } };
}

/** The relay dropped us: every call's live media is gone until the next hello. */
export function signedOut(): ConsoleState {
  return initialState();
}
