import type { CallView, MediaKind, TerminalView } from './protocolTypes.ts';
import type { CallEntry, ConsoleState } from './store.ts';

/** How long an ended call stays on screen as a notice before the area returns to idle. */
export const END_NOTICE_MS = 12_000;
/** How many calls the "recent calls" list keeps. */
export const RECENT_LIMIT = 20;

export function isMine(state: ConsoleState, call: CallView): boolean {
  return state.user !== null && call.answeredBy !== null && call.answeredBy.id === state.user.id;
}

/** This officer declined the ringing call: this console stays quiet for it (others still ring). */
export function declinedByMe(state: Pick<ConsoleState, 'user'>, call: CallView): boolean {
  return state.user !== null && call.declinedBy.some((o) => o.id === state.user!.id);
}

/** Open calls per terminal, for the terminal list. */
export function openCallByTerminal(state: ConsoleState): Map<string, CallView> {
  const byTerminal = new Map<string, CallView>();
  for (const { call } of Object.values(state.calls)) {
    if (call.state !== 'ended') byTerminal.set(call.terminal.id, call);
  }
  return byTerminal;
}

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export interface TerminalRow {
  terminal: TerminalView;
  call: CallView | null;
}

/** Terminals with a ringing call first, then those in a call, then everything else; by location ID within each group. */
export function sortedTerminals(state: ConsoleState): TerminalRow[] {
  const open = openCallByTerminal(state);
  const group = (call: CallView | null): number => (call === null ? 2 : call.state === 'ringing' ? 0 : 1);
  return Object.values(state.terminals)
    .map((terminal) => ({ terminal, call: open.get(terminal.id) ?? null }))
    .sort((a, b) => group(a.call) - group(b.call) || byId(a.terminal.id, b.terminal.id));
}

/** Tamper alarms queue above help calls; within a kind, oldest first. */
const KIND_RANK: Record<string, number> = { tamper: 0, help: 1 };
const queueOrder = (a: CallView, b: CallView): number =>
  (KIND_RANK[a.kind] ?? 1) - (KIND_RANK[b.kind] ?? 1) || a.createdAt - b.createdAt || byId(a.id, b.id);

/** The queue of waiting calls, in the order they should be answered. */
export function ringingCalls(state: ConsoleState): CallView[] {
  return Object.values(state.calls)
    .map((e) => e.call)
    .filter((c) => c.state === 'ringing')
    .sort(queueOrder);
}

/** A call rings in `after` that did not ring in `before` (the console draws that at once, not on the next frame). */
export function startsRinging(before: ConsoleState, after: ConsoleState): boolean {
  for (const [id, e] of Object.entries(after.calls)) if (e.call.state === 'ringing' && before.calls[id]?.call.state !== 'ringing') return true;
  return false;
}

export type CardRole = 'mine' | 'ringing' | 'other' | 'ended';
export interface CardModel {
  role: CardRole;
  entry: CallEntry;
}

function cardRole(state: ConsoleState, entry: CallEntry, now: number, noticeMs: number): CardRole | null {
  const { call } = entry;
  if (call.state === 'ringing') return 'ringing';
  if (call.state === 'answered') return isMine(state, call) ? 'mine' : 'other';
  if (entry.dismissed || entry.endedSeenAt === null) return null;
  return now - entry.endedSeenAt < noticeMs ? 'ended' : null;
}

const ROLE_ORDER: Record<CardRole, number> = { mine: 0, ringing: 1, other: 2, ended: 3 };

/**
 * The cards of the main call area, top to bottom: the officer's own call (so
 * the hang-up button never moves under the cursor), ringing calls in queue
 * order (tamper alarms, then oldest first), calls other officers took, then short-lived end notices.
 */
export function callCards(state: ConsoleState, now: number, noticeMs = END_NOTICE_MS): CardModel[] {
  const cards: CardModel[] = [];
  for (const entry of Object.values(state.calls)) {
    const role = cardRole(state, entry, now, noticeMs);
    if (role) cards.push({ role, entry });
  }
  return cards.sort(
    (a, b) =>
      ROLE_ORDER[a.role] - ROLE_ORDER[b.role] ||
      (a.role === 'ended' ? (b.entry.endedSeenAt ?? 0) - (a.entry.endedSeenAt ?? 0) : a.role === 'ringing' ? queueOrder(a.entry.call, b.entry.call) : a.entry.call.createdAt - b.entry.call.createdAt) ||
      byId(a.entry.call.id, b.entry.call.id),
  );
}

/** Every call seen this session, newest first. */
export function recentCalls(state: ConsoleState, limit = RECENT_LIMIT): CallEntry[] {
  return Object.values(state.calls)
    .sort((a, b) => b.call.createdAt - a.call.createdAt || byId(b.call.id, a.call.id))
    .slice(0, limit);
}

export interface MediaWant {
  callId: string;
  /** Receive the terminal's tracks (preview while ringing, the call once ours). */
  producers: { id: string; kind: MediaKind }[];
  /** Hear the resident: only once this officer has answered. */
  playAudio: boolean;
  /** Send this officer's microphone. */
  sendMic: boolean;
  /** Still ringing: the relay offers its consumers (rtc.consumersOffered). */
  ringing: boolean;
}

/**
 * Which calls should have media on this console right now. Calls another
 * officer took are released: the picture stays with whoever is talking.
 */
export function mediaPlan(state: ConsoleState): MediaWant[] {
  if (state.connection !== 'connected') return [];
  const wants: MediaWant[] = [];
  for (const { call, talk } of Object.values(state.calls)) {
    const mine = call.state === 'answered' && isMine(state, call);
    if (call.state === 'ringing' || mine) {
      // A look-in sends the officer's voice only once they switch 对讲 Talk on.
      wants.push({ callId: call.id, producers: call.producers, playAudio: mine, sendMic: mine && (call.kind !== 'lookin' || talk === true), ringing: call.state === 'ringing' });
    }
  }
  return wants;
}

export function onlineCount(state: ConsoleState): { online: number; total: number } {
  const all = Object.values(state.terminals);
  return { online: all.filter((t) => t.online).length, total: all.length };
}

/** Roles that get the louder alert when a call escalates. */
export const SUPERVISOR_ROLES: ReadonlySet<string> = new Set(['supervisor', 'admin']);

/**
 * Ring while any call waits; quieter when the officer is already talking. A
 * supervisor's console switches to the urgent alert once any waiting call has
 * escalated, talking or not: nobody else has picked it up.
 */
export function ringMode(state: ConsoleState): 'off' | 'loud' | 'soft' | 'urgent' {
  const waiting = state.connection === 'connected' ? ringingCalls(state).filter((c) => !declinedByMe(state, c)) : [];
  if (waiting.length === 0) return 'off';
  if (state.user && SUPERVISOR_ROLES.has(state.user.role) && waiting.some((c) => c.escalatedAt !== null)) return 'urgent';
  // Looking in is not talking to a caller: a new call still rings loud.
  const talking = Object.values(state.calls).some((e) => e.call.state === 'answered' && e.call.kind !== 'lookin' && isMine(state, e.call));
  return talking ? 'soft' : 'loud';
}
