import type { WebSocket } from 'ws';
import type { Logger } from 'pino';
import { ConsoleRequests, FrameDecoder, type CalledBackView, type CallView, type ConsoleEventData, type ConsoleEventType, type FleetEntry } from '@helppoint/shared';
import type { CallService } from '../calls/CallService.ts';
import type { TerminalRepo } from '../db/TerminalRepo.ts';
import type { AuditRepo } from '../db/AuditRepo.ts';
import type { FleetService } from '../fleet/FleetService.ts';
import type { TerminalPresence, TerminalSession } from '../presence/TerminalPresence.ts';
import type { WorkerPool } from '../sfu/WorkerPool.ts';
import { CloseCode } from './Connection.ts';
import { ConsoleConnection } from './ConsoleConnection.ts';
import type { MediaAuthorisation } from '../security/MediaAuthorisation.ts';
import { CoalescedUpdates } from '../security/CoalescedUpdates.ts';

export interface ConsoleUser {
  id: number;
  username: string;
  displayName: string;
  role: string;
}

export interface ConsoleGatewayOptions {
  terminals: TerminalRepo;
  presence: TerminalPresence;
  calls: CallService;
  pool: WorkerPool;
  logger: Logger;
  audit: AuditRepo;
  /** Fleet changes (health, alarms, self-tests) go to every console too (issue 5). */
  fleet?: FleetService;
  pingIntervalMs?: number;
  /** Who may consume which producer (issue 16). */
  media: MediaAuthorisation;
  /** Fleet updates go out at most once per terminal per this interval (default 1 s). */
  fleetCoalesceMs?: number;
}


/**
 * /ws/console: signed-in officers' consoles; every one of them rings. Each
 * socket is a ConsoleConnection (its state, handlers and close()); the
 * gateway keeps only the registries and fans relay-wide events out to them.
 */
export class ConsoleGateway {
  readonly #log: Logger;
  readonly #decoder = new FrameDecoder({ requests: ConsoleRequests });
  readonly #connections = new Set<ConsoleConnection>();
  /** Every open console socket of each user (also those that have not said hello yet), so disabling an account can cut them. */
  readonly #byUser = new Map<number, Set<ConsoleConnection>>();
  /** Connections that may see calls (call.updated is not for technicians or field staff). */
  readonly #callWatchers = new Set<ConsoleConnection>();
  readonly #opts: ConsoleGatewayOptions;
  readonly #fleetUpdates: CoalescedUpdates<FleetEntry>;

  constructor(opts: ConsoleGatewayOptions) {
    this.#opts = opts;
    this.#log = opts.logger.child({ component: 'console-gateway' });
    const { calls, presence } = opts;
    // First of all callUpdated listeners: the ring is what an officer waits for; recordings, dispatch,
    // the district bridge and metrics come after it (bench-call-setup: up to 50 ms of them on a busy relay).
    // Each console's consumers of a ringing camera are started right after its ring, still before the
    // bookkeeping. Not before it: the first consume after a relay starts took 72 ms of this thread.
    calls.prependListener('callUpdated', (call: CallView) => {
      for (const conn of this.#callWatchers) if (this.#shows(conn, call)) conn.send('call.updated', { call });
      for (const own of this.#byUser.values()) for (const conn of own) conn.callChanged(call);
    });
    const status = (terminalId: string) =>
      this.#broadcast('terminal.status', { terminalId, online: presence.isOnline(terminalId), lastSeenAt: presence.lastSeenAt(terminalId) });
    presence.on('online', (s: TerminalSession) => status(s.terminalId));
    presence.on('offline', (terminalId: string) => status(terminalId));
    // A heartbeat (or self-test) flood from one terminal must not become a flood to every console.
    this.#fleetUpdates = new CoalescedUpdates<FleetEntry>({
      intervalMs: opts.fleetCoalesceMs ?? 1000,
      // Only to consoles whose fleet page asked (fleet.watch): a duty desk needs none of the readings.
      send: (entry) => {
        for (const conn of this.#connections) if (conn.watchesFleet) conn.send('fleet.updated', { entry });
      },
      // Online/offline, alarms and self-test results go out at once; heartbeats' readings wait.
      urgent: (sent, next) => sent.online !== next.online || sent.alarm?.active !== next.alarm?.active || sent.lastSelfTest?.finishedAt !== next.lastSelfTest?.finishedAt,
    });
    opts.fleet?.on('updated', (entry) => this.#fleetUpdates.push(entry.terminalId, entry));
  }

  /** `user` is null when the upgrade carried no valid session: the socket is told why, then closed. */
  accept(ws: WebSocket, user: ConsoleUser | null, remoteAddress: string | undefined): ConsoleConnection | null {
    if (!user) {
      this.#log.warn({ remote: remoteAddress }, 'console without a valid session refused');
      ws.close(CloseCode.Unauthenticated, 'unauthenticated');
      return null;
    }
    const conn = new ConsoleConnection({ ws, user, remoteAddress, deps: this.#opts, logger: this.#log, decoder: this.#decoder, shows: (c, call) => this.#shows(c, call) });
    const own = this.#byUser.get(user.id) ?? new Set<ConsoleConnection>();
    own.add(conn);
    this.#byUser.set(user.id, own);
    conn.on('ready', (seesCalls) => {
      this.#connections.add(conn);
      if (seesCalls) this.#callWatchers.add(conn);
    });
    conn.on('closed', () => {
      this.#connections.delete(conn);
      this.#callWatchers.delete(conn);
      own.delete(conn);
      if (own.size === 0 && this.#byUser.get(user.id) === own) this.#byUser.delete(user.id);
    });
    return conn;
  }

  /** Every open console socket of a user (also those that have not said hello yet). */
  connectionsOf(userId: number): ConsoleConnection[] {
    return [...(this.#byUser.get(userId) ?? [])];
  }

  /** A look-in is shown only to the officer who opened it: it must not ring or queue on other desks. */
  #shows(conn: ConsoleConnection, call: CallView): boolean {
    if (call.kind !== 'lookin') return true;
    return call.answeredBy !== null && (this.#byUser.get(call.answeredBy.id)?.has(conn) ?? false);
  }

  /** Closes every console socket of a user at once (account disabled, role changed, password reset). */
  closeUser(userId: number, reason: string): number {
    const conns = [...(this.#byUser.get(userId) ?? [])];
    for (const conn of conns) conn.close(CloseCode.Unauthenticated, reason);
    if (conns.length) this.#log.warn({ userId, reason, connections: conns.length }, 'closed a user\'s consoles');
    return conns.length;
  }

  /** A terminal's microphone level and voice activity in a call: to the consoles that see that call. */
  audioActivity(callId: string, terminalId: string, activity: { inputDbfs: number; speaking: boolean }): void {
    const view = this.#opts.calls.view(callId);
    if (!view || view.state === 'ended') return;
    for (const conn of this.#callWatchers) if (this.#shows(conn, view)) conn.send('call.audioActivity', { callId, terminalId, ...activity });
  }

  /** A missed call was called back: the consoles that see calls drop it from their lists. */
  calledBack(view: CalledBackView): void {
    for (const conn of this.#callWatchers) conn.send('call.calledBack', view);
  }

  get size(): number {
    return this.#connections.size;
  }

  #broadcast<K extends ConsoleEventType>(type: K, data: ConsoleEventData<K>): void {
    for (const conn of this.#connections) conn.send(type, data);
  }

  close(): void {
    this.#fleetUpdates.close();
    for (const conn of this.#connections) conn.close(CloseCode.GoingAway, 'relay_shutdown');
  }
}
