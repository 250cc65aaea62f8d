import type { WebSocket } from 'ws';
import type { Logger } from 'pino';
import { AppError, ConsoleRequests, ErrorCode, FrameDecoder, type CalledBackView, type CallView, type ConsoleEvents, type ConsoleEventData, type ConsoleEventType, type RequestData } from '@helppoint/shared';
import type { CallService, Officer } from '../calls/CallService.ts';
import type { TerminalRepo } from '../db/TerminalRepo.ts';
import type { AuditRepo } from '../db/AuditRepo.ts';
import { may } from '../trust/roles.ts';
import type { FleetService } from '../fleet/FleetService.ts';
import type { TerminalPresence, TerminalSession } from '../presence/TerminalPresence.ts';
import { MediaPeer } from '../sfu/MediaPeer.ts';
import type { WorkerPool } from '../sfu/WorkerPool.ts';
import { CloseCode, Connection } from './Connection.ts';
import { rtcHandlers } from './rtcHandlers.ts';

type C = typeof ConsoleRequests;
type ConsoleConnection = Connection<C, typeof ConsoleEvents>;

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
}


/** /ws/console: signed-in officers' consoles; every one of them rings. */
export class ConsoleGateway {
  readonly #log: Logger;
  readonly #decoder = new FrameDecoder({ requests: ConsoleRequests });
  readonly #connections = new Set<ConsoleConnection>();
  /** Every open console socket of each user (also those that have not said hello yet), so disabling an account can cut them. */
  readonly #byUser = new Map<number, Set<ConsoleConnection>>();
  /** Connections that may see calls (call.updated is not for technicians or field staff). */
  readonly #callWatchers = new Set<ConsoleConnection>();
  readonly #opts: ConsoleGatewayOptions;

  constructor(opts: ConsoleGatewayOptions) {
    this.#opts = opts;
    this.#log = opts.logger.child({ component: 'console-gateway' });
    const { calls, presence } = opts;
    calls.on('callUpdated', (call: CallView) => {
      for (const conn of this.#callWatchers) if (this.#shows(conn, call)) conn.send('call.updated', { call });
    });
    const status = (terminalId: string) =>
      this.#broadcast('terminal.status', { terminalId, online: presence.isOnline(terminalId), lastSeenAt: presence.lastSeenAt(terminalId) });
    presence.on('online', (s: TerminalSession) => status(s.terminalId));
    presence.on('offline', (terminalId: string) => status(terminalId));
    opts.fleet?.on('updated', (entry) => this.#broadcast('fleet.updated', { entry }));
  }

  /** `user` is null when the upgrade carried no valid session: the socket is told why, then closed. */
  accept(ws: WebSocket, user: ConsoleUser | null, remoteAddress: string | undefined): void {
    if (!user) {
      this.#log.warn({ remote: remoteAddress }, 'console without a valid session refused');
      ws.close(CloseCode.Unauthenticated, 'unauthenticated');
      return;
    }
    const { calls, terminals, pool } = this.#opts;
    const conn: ConsoleConnection = new Connection({
      ws,
      decoder: this.#decoder,
      handlers: {},
      logger: this.#log,
      bindings: { userId: user.id, user: user.username, remote: remoteAddress },
      pingIntervalMs: this.#opts.pingIntervalMs ?? 15_000,
    });
    const officer: Officer = { id: user.id, displayName: user.displayName };
    const peer = new MediaPeer({ logger: conn.log });
    const mayAnswer = () => {
      if (!may(user.role, 'calls.answer')) throw new AppError(ErrorCode.Forbidden, `role ${user.role} cannot take calls`);
    };
    const audit = (action: string, target: string, detail?: Record<string, unknown>) =>
      this.#opts.audit.write({ actor: `user:${user.username}`, action, target, detail: detail ?? null, remote: remoteAddress });
    const own = this.#byUser.get(user.id) ?? new Set<ConsoleConnection>();
    own.add(conn);
    this.#byUser.set(user.id, own);
    let ready = false;
    conn.setHandlers({
      hello: () => {
        if (ready) throw new AppError(ErrorCode.AlreadyHello, 'hello was already sent on this connection');
        ready = true;
        this.#connections.add(conn);
        const seesCalls = may(user.role, 'calls.read');
        if (seesCalls) this.#callWatchers.add(conn);
        conn.log.info('console connected');
        return {
          user,
          routerRtpCapabilities: pool.routerRtpCapabilities,
          terminals: terminals.list().map((t) => calls.terminalView(t)),
          calls: seesCalls ? calls.openCalls().filter((c) => this.#shows(conn, c)) : [],
        };
      },
      'call.answer': (d: RequestData<C, 'call.answer'>) => {
        mayAnswer();
        const call = calls.answer(d.callId, officer);
        audit('call.answer', d.callId, { terminalId: call.terminal.id });
        return { call };
      },
      'lookin.start': (d: RequestData<C, 'lookin.start'>) => {
        // Looking into a street camera is audited whether or not it is allowed.
        try {
          mayAnswer();
          const call = calls.startLookin(d.terminalId, officer);
          audit('camera.lookin', d.terminalId, { callId: call.id });
          return { call };
        } catch (error) {
          const code = error instanceof AppError ? error.code : ErrorCode.Internal;
          this.#opts.audit.write({ actor: `user:${user.username}`, action: 'camera.lookin', target: d.terminalId, outcome: 'refused', detail: { code }, remote: remoteAddress });
          throw error;
        }
      },
      'call.hangup': (d: RequestData<C, 'call.hangup'>) => {
        mayAnswer();
        calls.officerHangup(d.callId, officer);
        return {};
      },
      'call.decline': (d: RequestData<C, 'call.decline'>) => {
        mayAnswer();
        const call = calls.decline(d.callId, officer);
        audit('call.decline', d.callId, { terminalId: call.terminal.id });
        return { call };
      },
      ...rtcHandlers({
        peer,
        slotFor: (callId) => {
          // Media of a call (the terminal's camera) is only for those who may take calls.
          mayAnswer();
          if (!callId) throw new AppError(ErrorCode.BadMessage, 'consoles must say which call a transport is for');
          return calls.slotForCall(callId);
        },
        mayProduce: (callId, kind) => {
          mayAnswer();
          if (kind !== 'audio') throw new AppError(ErrorCode.BadMessage, 'officers send audio only');
          calls.assertOfficerMayEnd(callId, officer);
        },
        onProduce: (callId, producer) => calls.addOfficerProducer(callId, officer, producer),
        onConsume: (producerId, kind) => {
          if (kind !== 'video') return;
          const call = calls.openCalls().find((c) => c.producers.some((p) => p.id === producerId));
          audit('camera.view', call?.terminal.id ?? producerId, { callId: call?.id ?? null });
        },
      }),
    });
    const onCallClosed = (callId: string) => peer.closeCall(callId);
    calls.on('callClosed', onCallClosed);
    conn.on('closed', (code, reason) => {
      this.#connections.delete(conn);
      this.#callWatchers.delete(conn);
      own.delete(conn);
      if (own.size === 0 && this.#byUser.get(user.id) === own) this.#byUser.delete(user.id);
      calls.off('callClosed', onCallClosed);
      peer.close();
      conn.log.info({ code, reason }, 'console disconnected');
    });
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
    for (const conn of this.#connections) conn.close(CloseCode.GoingAway, 'relay_shutdown');
  }
}
