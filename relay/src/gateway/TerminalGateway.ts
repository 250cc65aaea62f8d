import type { WebSocket } from 'ws';
import type { Logger } from 'pino';
import { FrameDecoder, TerminalRequests } from '@helppoint/shared';
import type { CallService } from '../calls/CallService.ts';
import type { TerminalRepo } from '../db/TerminalRepo.ts';
import type { AuditRepo } from '../db/AuditRepo.ts';
import type { TerminalKeyRepo } from '../db/TerminalKeyRepo.ts';
import type { EnrolmentService } from '../trust/EnrolmentService.ts';
import { NonceBook } from '../trust/NonceBook.ts';
import type { FleetService } from '../fleet/FleetService.ts';
import type { TerminalPresence } from '../presence/TerminalPresence.ts';
import type { WorkerPool } from '../sfu/WorkerPool.ts';
import { CloseCode } from './Connection.ts';
import { TerminalConnection } from './TerminalConnection.ts';
import type { MediaAuthorisation } from '../security/MediaAuthorisation.ts';
import type { TerminalMessageLimits } from '../security/TerminalMessageLimits.ts';
import type { KioskUpdates } from '../updates/KioskUpdates.ts';
import type { PrePressClips } from '../calls/PrePressClips.ts';

export interface TerminalGatewayOptions {
  terminals: TerminalRepo;
  presence: TerminalPresence;
  calls: CallService;
  pool: WorkerPool;
  logger: Logger;
  keys: TerminalKeyRepo;
  audit: AuditRepo;
  enrolment: EnrolmentService;
  /** How long a challenge nonce may be answered (default 30 s). */
  challengeTtlMs?: number;
  /** Receives heartbeats' health reports, self-tests and alarms (issue 5). */
  fleet?: FleetService;
  heartbeatIntervalMs?: number;
  /**
   * How often every connected terminal's key is checked against the database
   * (catches a revocation made with the CLI by another process; the relay's
   * own revocations drop the connection at once). Default 30 s.
   */
  keySweepMs?: number;
  /** The door switch opening while idle rings a tamper call (default true; a station may turn it off). */
  tamperCalls?: boolean;
  /** A terminal's microphone activity in one of its calls (issue 11): the console gateway shows it. */
  onAudioActivity?: (callId: string, terminalId: string, activity: { inputDbfs: number; speaking: boolean }) => void;
  helloTimeoutMs?: number;
  pingIntervalMs?: number;
  /** Who may consume which producer (issue 16). */
  media: MediaAuthorisation;
  /** Per-terminal message budgets and timestamp bounds (issue 16). */
  limits: TerminalMessageLimits;
  /** Kiosk updates (issue 10): offers after hello, download progress, the heartbeat's update report. */
  updates?: KioskUpdates;
  /** The terminal's pre-press clip (issue 15): call.prePressGrant hands out its upload link. */
  prePress?: PrePressClips;
}

/**
 * /ws/terminal: kiosks connect here, get a challenge, prove who they are by
 * signing it with their enrolled key in hello, then ask for help. Each socket
 * is a TerminalConnection (its state, handlers and close()); the gateway
 * keeps only the registries and routes relay-wide events to them.
 */
export class TerminalGateway {
  readonly #opts: TerminalGatewayOptions;
  readonly #log: Logger;
  readonly #decoder = new FrameDecoder({ requests: TerminalRequests });
  readonly #connections = new Set<TerminalConnection>();
  readonly #nonces: NonceBook;
  /**
   * Connections by terminal ID (usually one; two while a newer one replaces
   * the old). One relay-wide listener per event looks the terminal up here,
   * instead of every connection listening to every call's end: with
   * thousands of terminals that was a listener list walked on each event.
   */
  readonly #byTerminal = new Map<string, Set<TerminalConnection>>();
  readonly #keySweep: ReturnType<typeof setInterval>;

  constructor(opts: TerminalGatewayOptions) {
    this.#opts = opts;
    this.#log = opts.logger.child({ component: 'terminal-gateway' });
    this.#nonces = new NonceBook({ ttlMs: opts.challengeTtlMs ?? 30_000 });
    opts.calls.on('callOpened', (callId, terminalId) => {
      for (const conn of this.#byTerminal.get(terminalId) ?? []) conn.openCall(callId);
    });
    opts.calls.on('callClosed', (callId, terminalId) => {
      for (const conn of this.#byTerminal.get(terminalId) ?? []) conn.closeCall(callId);
    });
    opts.enrolment.on('keyChanged', (terminalId: string) => {
      for (const conn of this.#byTerminal.get(terminalId) ?? []) conn.dropIfKeyChanged();
    });
    this.#keySweep = setInterval(() => void this.#sweepKeys(), opts.keySweepMs ?? 30_000);
    this.#keySweep.unref?.();
  }

  /**
   * Key checks off the heartbeat's path (issue 15): one sweep over the
   * connected terminals, in slices that yield to the event loop between
   * them, so a press never waits behind 10,000 key lookups.
   */
  async #sweepKeys(): Promise<void> {
    const ids = [...this.#byTerminal.keys()];
    for (let i = 0; i < ids.length; i += 500) {
      for (const id of ids.slice(i, i + 500)) for (const conn of this.#byTerminal.get(id) ?? []) conn.dropIfKeyChanged();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  #attach(terminalId: string, conn: TerminalConnection): void {
    let set = this.#byTerminal.get(terminalId);
    if (!set) this.#byTerminal.set(terminalId, (set = new Set()));
    set.add(conn);
  }

  #detach(terminalId: string, conn: TerminalConnection): void {
    const set = this.#byTerminal.get(terminalId);
    if (!set) return;
    set.delete(conn);
    if (set.size === 0) this.#byTerminal.delete(terminalId);
  }

  accept(ws: WebSocket, remoteAddress: string | undefined): TerminalConnection {
    const conn = new TerminalConnection({ ws, remoteAddress, deps: this.#opts, logger: this.#log, decoder: this.#decoder, nonces: this.#nonces });
    this.#connections.add(conn);
    conn.on('online', (terminalId) => this.#attach(terminalId, conn));
    conn.on('closed', () => {
      this.#connections.delete(conn);
      if (conn.terminalId) this.#detach(conn.terminalId, conn);
    });
    return conn;
  }

  /** Open terminal sockets, also those that have not said hello yet. */
  get size(): number {
    return this.#connections.size;
  }

  /** The connections of one terminal (usually one; two while a newer one replaces the old). */
  connectionsOf(terminalId: string): TerminalConnection[] {
    return [...(this.#byTerminal.get(terminalId) ?? [])];
  }

  close(): void {
    clearInterval(this.#keySweep);
    for (const conn of this.#connections) conn.close(CloseCode.GoingAway, 'relay_shutdown');
  }
}
