import { TypedEmitter, type TerminalEventData, type TerminalEventType } from '@helppoint/shared';
import type { PoolSlot } from '../sfu/WorkerPool.ts';

/** What the relay knows about one connected terminal. */
export interface TerminalSession {
  terminalId: string;
  connectionId: string;
  slot: PoolSlot;
  connectedAt: number;
  lastSeenAt: number;
  /** Push one of the terminal events of the catalogue (shared/src/protocol/terminal.ts). */
  send<K extends TerminalEventType>(type: K, data: TerminalEventData<K>): void;
  /** Close the connection, e.g. because a newer one for the same terminal arrived. */
  close(code: number, reason: string): void;
}

/**
 * Which terminals are online, and how to reach each. Kept behind this small
 * class so that a shared store can replace it when relays are partitioned.
 */
export class TerminalPresence extends TypedEmitter<{ online: [TerminalSession]; offline: [string, number] }> {
  readonly #sessions = new Map<string, TerminalSession>();
  readonly #lastSeen = new Map<string, number>();

  /** Registers a session; returns the one it replaced, if any (newest wins). */
  add(session: TerminalSession): TerminalSession | undefined {
    const previous = this.#sessions.get(session.terminalId);
    this.#sessions.set(session.terminalId, session);
    this.#lastSeen.set(session.terminalId, session.lastSeenAt);
    this.emit('online', session);
    return previous;
  }

  /** Removes a session only if it is still the current one for its terminal. */
  remove(session: TerminalSession): boolean {
    if (this.#sessions.get(session.terminalId) !== session) return false;
    this.#sessions.delete(session.terminalId);
    const at = Date.now();
    this.#lastSeen.set(session.terminalId, at);
    this.emit('offline', session.terminalId, at);
    return true;
  }

  touch(session: TerminalSession, at = Date.now()): void {
    session.lastSeenAt = at;
    if (this.#sessions.get(session.terminalId) === session) this.#lastSeen.set(session.terminalId, at);
  }

  get(terminalId: string): TerminalSession | undefined {
    return this.#sessions.get(terminalId);
  }

  isOnline(terminalId: string): boolean {
    return this.#sessions.has(terminalId);
  }

  lastSeenAt(terminalId: string): number | null {
    return this.#lastSeen.get(terminalId) ?? null;
  }

  get size(): number {
    return this.#sessions.size;
  }

  all(): TerminalSession[] {
    return [...this.#sessions.values()];
  }
}
