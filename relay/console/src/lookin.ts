import type { TerminalRow } from './selectors.ts';
import type { ConsoleState } from './store.ts';

/** Roles the relay lets look in (its calls.answer permission); the relay checks again. */
const LOOKIN_ROLES: ReadonlySet<string> = new Set(['officer', 'supervisor', 'admin']);

/** Whether the terminal list offers 查看 Look-in on this row: online, not in a call, and a role that may. */
export function canLookIn(state: ConsoleState, row: TerminalRow): boolean {
  return state.user !== null && LOOKIN_ROLES.has(state.user.role) && row.terminal.online && row.call === null;
}

/** Whether this officer is talking into a look-in (the 对讲 Talk button). */
export function isTalking(state: ConsoleState, callId: string): boolean {
  return state.calls[callId]?.talk === true;
}
