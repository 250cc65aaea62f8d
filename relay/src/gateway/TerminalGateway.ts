import type { WebSocket } from 'ws';
import type { Logger } from 'pino';
import {
  AppError,
  ErrorCode,
  FrameDecoder,
  HEARTBEAT_INTERVAL_MS,
  HEARTBEAT_MISSES_OFFLINE,
  TerminalEvents,
  TerminalRequests,
  type RequestData,
} from '@helppoint/shared';
import type { CallService } from '../calls/CallService.ts';
import type { TerminalRepo } from '../db/TerminalRepo.ts';
import type { AuditRepo } from '../db/AuditRepo.ts';
import type { TerminalKeyRepo } from '../db/TerminalKeyRepo.ts';
import type { EnrolmentService } from '../trust/EnrolmentService.ts';
import { NonceBook } from '../trust/NonceBook.ts';
import { verifyHelloSignature } from '../trust/deviceKeys.ts';
import type { FleetService } from '../fleet/FleetService.ts';
import type { TerminalPresence, TerminalSession } from '../presence/TerminalPresence.ts';
import { MediaPeer } from '../sfu/MediaPeer.ts';
import type { WorkerPool } from '../sfu/WorkerPool.ts';
import { CloseCode, Connection } from './Connection.ts';
import { rtcHandlers } from './rtcHandlers.ts';

type T = typeof TerminalRequests;
type TerminalConnection = Connection<T, typeof TerminalEvents>;

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
  /** The door switch opening while idle rings a tamper call (default true; a station may turn it off). */
  tamperCalls?: boolean;
  /** A terminal's microphone activity in one of its calls (issue 11): the console gateway shows it. */
  onAudioActivity?: (callId: string, terminalId: string, activity: { inputDbfs: number; speaking: boolean }) => void;
  helloTimeoutMs?: number;
  pingIntervalMs?: number;
}

/**
 * /ws/terminal: kiosks connect here, get a challenge, prove who they are by
 * signing it with their enrolled key in hello, then ask for help.
 */
/** What relay-wide events need from one authenticated terminal connection. */
interface Attached {
  closeCall(callId: string): void;
  dropIfKeyChanged(): void;
}

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
  readonly #byTerminal = new Map<string, Set<Attached>>();

  constructor(opts: TerminalGatewayOptions) {
    this.#opts = opts;
    this.#log = opts.logger.child({ component: 'terminal-gateway' });
    this.#nonces = new NonceBook({ ttlMs: opts.challengeTtlMs ?? 30_000 });
    opts.calls.on('callClosed', (callId, terminalId) => {
      for (const a of this.#byTerminal.get(terminalId) ?? []) a.closeCall(callId);
    });
    opts.enrolment.on('keyChanged', (terminalId: string) => {
      for (const a of this.#byTerminal.get(terminalId) ?? []) a.dropIfKeyChanged();
    });
  }

  #attach(terminalId: string, a: Attached): void {
    let set = this.#byTerminal.get(terminalId);
    if (!set) this.#byTerminal.set(terminalId, (set = new Set()));
    set.add(a);
  }

  #detach(terminalId: string, a: Attached): void {
    const set = this.#byTerminal.get(terminalId);
    if (!set) return;
    set.delete(a);
    if (set.size === 0) this.#byTerminal.delete(terminalId);
  }

  /**
   * Checks a hello's proof of identity: this connection's nonce, fresh and
   * unused, signed with the terminal's enrolled, unrevoked key. Every refusal
   * is audited and closes the connection (a new challenge needs a new one).
   * Returns the fingerprint of the key that signed.
   */
  #authenticate(conn: TerminalConnection, d: RequestData<T, 'hello'>, remote: string | undefined): string {
    const refuse = (code: ErrorCode, message: string, closeCode: number = CloseCode.Unauthenticated): never => {
      this.#opts.audit.write({ actor: 'anonymous', action: 'terminal.hello', target: d.terminalId, outcome: 'refused', detail: { code }, remote });
      conn.log.warn({ terminalId: d.terminalId, code }, 'terminal hello refused');
      setTimeout(() => conn.close(closeCode, code), 50);
      throw new AppError(code, message);
    };
    const verdict = this.#nonces.consume(d.nonce, conn.id);
    if (verdict === 'replayed') refuse(ErrorCode.ChallengeReplayed, 'this challenge was already answered once');
    if (verdict === 'unknown' || verdict === 'other_connection') refuse(ErrorCode.ChallengeMismatch, 'sign the challenge sent on this connection');
    if (verdict === 'expired') refuse(ErrorCode.ChallengeExpired, 'the challenge expired; reconnect for a new one');
    const key = this.#opts.keys.get(d.terminalId);
    if (!key) refuse(ErrorCode.UnknownTerminal, `terminal ${d.terminalId} is not registered`, CloseCode.UnknownTerminal);
    if (key!.state === 'unenrolled') refuse(ErrorCode.TerminalNotEnrolled, `terminal ${d.terminalId} has not been enrolled`);
    if (key!.state === 'revoked') refuse(ErrorCode.TerminalRevoked, `terminal ${d.terminalId} has been revoked; re-enrol it`);
    if (!verifyHelloSignature(key!.publicKey!, d.terminalId, d.nonce, d.signature)) refuse(ErrorCode.BadSignature, 'the signature does not match the enrolled key');
    return key!.keyFingerprint!;
  }

  accept(ws: WebSocket, remoteAddress: string | undefined): void {
    const { presence, calls, pool, terminals } = this.#opts;
    const heartbeatMs = this.#opts.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS;
    const conn: TerminalConnection = new Connection({
      ws,
      decoder: this.#decoder,
      handlers: {},
      logger: this.#log,
      bindings: { remote: remoteAddress },
      pingIntervalMs: this.#opts.pingIntervalMs ?? heartbeatMs,
    });
    this.#connections.add(conn);
    conn.send('auth.challenge', { nonce: this.#nonces.issue(conn.id), relayTime: Date.now() });
    let session: TerminalSession | null = null;
    let signedWith: string | null = null;
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
      signedWith = this.#authenticate(conn, d, remoteAddress);
      if (!terminals.get(d.terminalId)) throw new AppError(ErrorCode.UnknownTerminal, `terminal ${d.terminalId} is not registered`);
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
      this.#attach(d.terminalId, attached);
      const replaced = presence.add(session);
      if (replaced) {
        log.warn({ previousConnection: replaced.connectionId }, 'terminal connected again: newest connection wins, closing the old one');
        this.#opts.audit.write({ actor: `terminal:${d.terminalId}`, action: 'terminal.replaced', target: d.terminalId, detail: { previousConnection: replaced.connectionId }, remote: remoteAddress });
        replaced.close(CloseCode.Replaced, 'replaced');
      }
      peer = new MediaPeer({ logger: log });
      const own = session;
      conn.setHandlers({
        hello,
        heartbeat: (h: RequestData<T, 'heartbeat'>) => {
          dropIfKeyChanged();
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
          // Someone is opening the enclosure of an idle terminal: officers should see it now, not on the fleet page later.
          if (a.kind === 'tamper' && a.active && (this.#opts.tamperCalls ?? true)) {
            const raised = calls.raiseTamper(own.terminalId, Date.now());
            if (raised) log.warn({ callId: raised.callId }, 'door switch opened while idle: tamper call ringing');
          }
          return {};
        },
        'call.audioActivity': (a: RequestData<T, 'call.audioActivity'>) => {
          calls.assertTerminalOwns(a.callId, own.terminalId);
          this.#opts.onAudioActivity?.(a.callId, own.terminalId, { inputDbfs: a.inputDbfs, speaking: a.speaking });
          return {};
        },
        'help.request': (r: RequestData<T, 'help.request'>) => {
          presence.touch(own);
          return calls.requestHelp(own.terminalId, r.requestId, {
            kind: r.kind ?? 'help',
            ...(r.pressedAt === undefined ? {} : { pressedAt: r.pressedAt }),
            ...(r.late ? { late: true } : {}),
          });
        },
        'help.cancel': (r: RequestData<T, 'help.cancel'>) => {
          calls.terminalHangup(r.callId, own.terminalId, r.reason);
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
        routerRtpCapabilities: pool.routerRtpCapabilities,
        heartbeatIntervalMs: heartbeatMs,
        serverTime: now,
        openCallId: calls.openCallOf(d.terminalId),
      };
    };
    conn.setHandlers({ hello });

    // A revoked or re-keyed terminal loses its connection at once, not at its next reconnect.
    // Heartbeats also re-check, which catches revocations made with the CLI by another process.
    const dropIfKeyChanged = () => {
      if (!session) return;
      const key = this.#opts.keys.get(session.terminalId);
      if (key?.state === 'enrolled' && key.keyFingerprint === signedWith) return;
      conn.log.warn({ terminalId: session.terminalId, state: key?.state }, 'terminal key revoked or replaced: dropping its connection');
      conn.close(CloseCode.Unauthenticated, key?.state === 'revoked' ? ErrorCode.TerminalRevoked : ErrorCode.BadSignature);
    };
    const attached: Attached = { closeCall: (callId) => peer?.closeCall(callId), dropIfKeyChanged };

    conn.on('closed', (code, reason) => {
      this.#connections.delete(conn);
      clearTimeout(helloTimer);
      if (silenceTimer) clearTimeout(silenceTimer);
      if (session) this.#detach(session.terminalId, attached);
      this.#nonces.forget(conn.id);
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
