import type { WebSocket } from 'ws';
import type { Logger } from 'pino';

/** Close code told to a console whose session ended (same as an unauthenticated upgrade). */
const SESSION_ENDED = 4003;

/**
 * Every open console socket by the session it was opened with, so ending a
 * session ends its sockets too: logout, "log out everywhere", an admin
 * disabling the account, or expiry. A periodic re-check also catches
 * sessions removed by another process (the relay CLI) or simply expired.
 */
export class SessionSockets {
  readonly #bySession = new Map<string, Set<WebSocket>>();
  readonly #log: Logger;
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #isLive: (tokenHash: string) => boolean;

  constructor(opts: { logger: Logger; isLive: (tokenHash: string) => boolean; recheckMs?: number }) {
    this.#log = opts.logger.child({ component: 'session-sockets' });
    this.#isLive = opts.isLive;
    this.#timer = setInterval(() => this.recheck(), opts.recheckMs ?? 30_000);
    this.#timer.unref?.();
  }

  add(tokenHash: string, ws: WebSocket): void {
    let set = this.#bySession.get(tokenHash);
    if (!set) this.#bySession.set(tokenHash, (set = new Set()));
    set.add(ws);
    ws.once('close', () => {
      set.delete(ws);
      if (set.size === 0 && this.#bySession.get(tokenHash) === set) this.#bySession.delete(tokenHash);
    });
  }

  /** Closes the sockets of one session; returns how many. */
  closeSession(tokenHash: string, reason: string): number {
    const set = this.#bySession.get(tokenHash);
    if (!set) return 0;
    const n = set.size;
    for (const ws of [...set]) ws.close(SESSION_ENDED, reason);
    this.#bySession.delete(tokenHash);
    if (n) this.#log.info({ sockets: n, reason }, 'session ended: its console sockets closed');
    return n;
  }

  recheck(): void {
    for (const hash of [...this.#bySession.keys()]) {
      if (!this.#isLive(hash)) this.closeSession(hash, 'session_expired');
    }
  }

  close(): void {
    clearInterval(this.#timer);
  }
}
