import type { WebSocket } from 'ws';
import type { Logger } from 'pino';
import {
  AppError,
  ErrorCode,
  FrameDecoder,
  HEARTBEAT_INTERVAL_MS,
  HEARTBEAT_MISSES_OFFLINE,
  TerminalRequests,
  type RequestData,
} from '@helppoint/shared';
import type { CallService } from '../calls/CallService.ts';
import type { TerminalRepo } from '../db/TerminalRepo.ts';
import type { FleetService } from '../fleet/FleetService.ts';
import type { TerminalPresence, TerminalSession } from '../presence/TerminalPresence.ts';
import { MediaPeer } from '../sfu/MediaPeer.ts';
import type { WorkerPool } from '../sfu/WorkerPool.ts';
import { CloseCode, Connection } from './Connection.ts';
import { rtcHandlers } from './rtcHandlers.ts';

type T = typeof TerminalRequests;

export interface TerminalGatewayOptions {
  terminals: TerminalRepo;
  presence: TerminalPresence;
  calls: CallService;
  pool: WorkerPool;
  logger: Logger;
  /** Receives heartbeats' health reports, self-tests and alarms (issue 5). */
  fleet?: FleetService;
  heartbeatIntervalMs?: number;
  helloTimeoutMs?: number;
  pingIntervalMs?: number;
}

/** /ws/terminal: kiosks connect here, say hello with their location ID, then ask for help. */
export class TerminalGateway {
  readonly #opts: TerminalGatewayOptions;
  readonly #log: Logger;
  readonly #decoder = new FrameDecoder({ requests: TerminalRequests });
  readonly #connections = new Set<Connection>();

  constructor(opts: TerminalGatewayOptions) {
    this.#opts = opts;
    this.#log = opts.logger.child({ component: 'terminal-gateway' });
  }

  accept(ws: WebSocket, remoteAddress: string | undefined): void {
    const { presence, calls, pool, terminals } = this.#opts;
    const heartbeatMs = this.#opts.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS;
    const conn = new Connection({
      ws,
      decoder: this.#decoder,
      handlers: {},
      logger: this.#log.child({ remote: remoteAddress }),
      pingIntervalMs: this.#opts.pingIntervalMs ?? heartbeatMs,
    });
    this.#connections.add(conn);
    let session: TerminalSession | null = null;
    let peer: MediaPeer | null = null;
    let silenceTimer: ReturnType<typeof setTimeout> | null = null;
    const helloTimer = setTimeout(() => conn.close(CloseCode.HelloTimeout, 'hello_required'), this.#opts.helloTimeoutMs ?? 10_000);

    // A terminal that stops heartbeating is offline even if TCP has not noticed
    // yet: when the third heartbeat is due and none came, 3 have been missed
    // (at the default 10 s: offline 30 s after the last one, not later).
    const armSilence = () => {
      if (silenceTimer) clearTimeout(silenceTimer);
      const armedAt = Date.now();
      silenceTimer = setTimeout(() => {
        conn.log.warn({ missed: HEARTBEAT_MISSES_OFFLINE, silentMs: Date.now() - armedAt, terminalId: session?.terminalId }, 'heartbeats missed: dropping terminal');
        conn.close(CloseCode.DeadPeer, 'heartbeat_timeout');
      }, heartbeatMs * HEARTBEAT_MISSES_OFFLINE);
      silenceTimer.unref?.();
    };

    const hello = (d: RequestData<T, 'hello'>) => {
      if (session) throw new AppError(ErrorCode.AlreadyHello, 'hello was already sent on this connection');
      const record = terminals.get(d.terminalId);
      if (!record) {
        conn.log.warn({ terminalId: d.terminalId }, 'unknown terminal refused');
        setTimeout(() => conn.close(CloseCode.UnknownTerminal, 'unknown_terminal'), 50);
        throw new AppError(ErrorCode.UnknownTerminal, `terminal ${d.terminalId} is not registered`);
      }
      clearTimeout(helloTimer);
      const slot = pool.acquire();
      const log = conn.log.child({ terminalId: d.terminalId });
      const now = Date.now();
      session = {
        terminalId: d.terminalId,
        connectionId: conn.id,
        slot,
        connectedAt: now,
        lastSeenAt: now,
        send: (type, data) => conn.send(type, data),
        close: (code, reason) => conn.close(code, reason),
      };
      const replaced = presence.add(session);
      if (replaced) {
        log.warn({ previousConnection: replaced.connectionId }, 'terminal connected again: newest connection wins, closing the old one');
        replaced.close(CloseCode.Replaced, 'replaced');
      }
      peer = new MediaPeer({ logger: log });
      const own = session;
      conn.setHandlers({
        hello,
        heartbeat: (h: RequestData<T, 'heartbeat'>) => {
          presence.touch(own);
          armSilence();
          log.debug({ seq: h.seq }, 'heartbeat');
          this.#opts.fleet?.heartbeat(own.terminalId, h.health);
          return { serverTime: Date.now() };
        },
        'selftest.report': (r: RequestData<T, 'selftest.report'>) => {
          if (!this.#opts.fleet) throw new AppError(ErrorCode.UnknownType, 'this relay keeps no self-tests');
          this.#opts.fleet.selfTest(own.terminalId, r.report);
          return {};
        },
        alarm: (a: RequestData<T, 'alarm'>) => {
          if (!this.#opts.fleet) throw new AppError(ErrorCode.UnknownType, 'this relay keeps no alarms');
          this.#opts.fleet.alarm(own.terminalId, a.kind, a.active);
          return {};
        },
        'help.request': (r: RequestData<T, 'help.request'>) => {
          presence.touch(own);
          return calls.requestHelp(own.terminalId, r.requestId);
        },
        'help.cancel': (r: RequestData<T, 'help.cancel'>) => {
          calls.assertTerminalOwns(r.callId, own.terminalId);
          const view = calls.view(r.callId);
          calls.end(r.callId, view?.state === 'answered' ? 'terminal_hangup' : 'cancelled', 'terminal');
          return {};
        },
        ...rtcHandlers({
          peer,
          slotFor: (callId) => (callId ? calls.slotForCall(callId) : own.slot),
          mayProduce: (callId) => calls.assertTerminalOwns(callId, own.terminalId),
          onProduce: (callId, producer) => calls.addTerminalProducer(callId, own.terminalId, producer),
        }),
      });
      armSilence();
      log.info({ version: d.version, worker: slot.index }, 'terminal online');
      return {
        routerRtpCapabilities: pool.routerRtpCapabilities as unknown as Record<string, unknown>,
        heartbeatIntervalMs: heartbeatMs,
        serverTime: now,
        openCallId: calls.openCallOf(d.terminalId),
      };
    };
    conn.setHandlers({ hello });

    const onCallClosed = (callId: string) => peer?.closeCall(callId);
    calls.on('callClosed', onCallClosed);

    conn.on('closed', (code, reason) => {
      this.#connections.delete(conn);
      clearTimeout(helloTimer);
      if (silenceTimer) clearTimeout(silenceTimer);
      calls.off('callClosed', onCallClosed);
      peer?.close();
      if (session) {
        pool.release(session.slot);
        const wasCurrent = presence.remove(session);
        conn.log.info({ terminalId: session.terminalId, code, reason }, 'terminal offline');
        if (wasCurrent) calls.terminalLost(session.terminalId);
      }
    });
  }

  close(): void {
    for (const conn of this.#connections) conn.close(CloseCode.GoingAway, 'relay_shutdown');
  }
}
