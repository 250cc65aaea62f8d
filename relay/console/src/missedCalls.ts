// The desk's list of missed calls to call back, as pure functions: loaded from
// GET /api/missed-calls, grown by live call.updated (end reason missed), shrunk
// by call.calledBack from any console.
import type { CalledBackView, MissedCallView } from '@helppoint/shared/types';
import type { CallView } from './protocolTypes.ts';

export type { CalledBackView, MissedCallView };

export interface MissedState {
  items: MissedCallView[];
  /** Calls already called back: a late or repeated event must not bring one back. */
  done: ReadonlySet<string>;
}

export const emptyMissed = (): MissedState => ({ items: [], done: new Set() });

const byPressDesc = (a: MissedCallView, b: MissedCallView) => b.pressedAt - a.pressedAt || a.callId.localeCompare(b.callId);

/** The relay's list replaces ours (it is the truth after a reconnect); calls marked here meanwhile stay out. */
export function loadMissed(s: MissedState, list: MissedCallView[]): MissedState {
  const seen = new Set<string>();
  const items = list.filter((m) => !s.done.has(m.callId) && !seen.has(m.callId) && seen.add(m.callId)).sort(byPressDesc);
  return { ...s, items };
}

/** A live call update: a missed call joins the list; anything else changes nothing. */
export function missedFromCall(call: CallView): MissedCallView | null {
  if (call.state !== 'ended' || call.endReason !== 'missed') return null;
  return {
    callId: call.id,
    terminalId: call.terminal.id,
    terminalName: call.terminal.name,
    terminalNameEn: call.terminal.nameEn,
    address: call.terminal.address,
    pressedAt: call.pressedAt ?? call.createdAt,
    deliveredAt: call.endedAt ?? call.createdAt,
  };
}

export function addMissed(s: MissedState, m: MissedCallView): MissedState {
  if (s.done.has(m.callId) || s.items.some((x) => x.callId === m.callId)) return s;
  return { ...s, items: [...s.items, m].sort(byPressDesc) };
}

export function calledBack(s: MissedState, callId: string): MissedState {
  if (s.done.has(callId) && !s.items.some((x) => x.callId === callId)) return s;
  return { items: s.items.filter((x) => x.callId !== callId), done: new Set([...s.done, callId]) };
}
