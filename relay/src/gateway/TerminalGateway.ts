import type { WebSocket } from 'ws';
import type { types } from 'mediasoup';
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
import type { MediaAuthorisation } from '../security/MediaAuthorisation.ts';
import type { TerminalMessageLimits } from '../security/TerminalMessageLimits.ts';

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
}

/**
 * /ws/terminal: kiosks connect here, get a challenge, prove who they are by
 * signing it with their enrolled key in hello, then ask for help.
 */
/** What relay-wide events need from one authenticated terminal connection. */
interface Attached {
  /** A call of this terminal was opened: its standing producers join it. */
  openCall(callId: string): void;
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
  readonly #keySweep: ReturnType<typeof setInterval>;

  constructor(opts: TerminalGatewayOptions) {
    this.#opts = opts;
    this.#log = opts.logger.child({ component: 'terminal-gateway' });
    this.#nonces = new NonceBook({ ttlMs: opts.challengeTtlMs ?? 30_000 });
    opts.calls.on('callOpened', (callId, terminalId) => {
      for (const a of this.#byTerminal.get(terminalId) ?? []) a.openCall(callId);
    });
    opts.calls.on('callClosed', (callId, terminalId) => {
      for (const a of this.#byTerminal.get(terminalId) ?? []) a.closeCall(callId);
    });
    opts.enrolment.on('keyChanged', (terminalId: string) => {
      for (const a of this.#byTerminal.get(terminalId) ?? []) a.dropIfKeyChanged();
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
      for (const id of ids.slice(i, i + 500)) for (const a of this.#byTerminal.get(id) ?? []) a.dropIfKeyChanged();
      await new Promise((resolve) => setImmediate(resolve));
    }
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
    /**
     * The terminal's camera and microphone producers on its warm send
     * transport: paused on the relay (nothing is forwarded or recorded) except
     * while a call of this terminal is open.
     */
    const standing = new Map<'audio' | 'video', types.Producer>();
    const joinCall = (callId: string, producer: types.Producer, publish: boolean) => {
      calls.addTerminalProducer(callId, session!.terminalId, producer, publish);
      this.#opts.media.track(callId, 'terminal', producer);
      void producer.resume().catch((err: unknown) => conn.log.warn({ err, producerId: producer.id }, 'could not resume a standing producer'));
    };
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
      const limits = this.#opts.limits;
      conn.setHandlers(limits.guard(own.terminalId, {
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
          if (r.report.finishedAt < r.report.startedAt) throw new AppError(ErrorCode.BadMessage, 'a self-test cannot finish before it started');
          const finishedAt = limits.clampTime(own.terminalId, 'selftest.finishedAt', r.report.finishedAt);
          const startedAt = finishedAt === r.report.finishedAt ? r.report.startedAt : finishedAt - Math.min(r.report.finishedAt - r.report.startedAt, 3_600_000);
          this.#opts.fleet.selfTest(own.terminalId, { ...r.report, startedAt, finishedAt });
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
          // Late deliveries are capped per hour (the rest stay in the kiosk's outbox), and a press time
          // far from the relay's clock (an unset Pi clock, or a forged one) is replaced by the relay's.
          if (r.late) limits.takeLateDelivery(own.terminalId);
          return calls.requestHelp(own.terminalId, r.requestId, {
            kind: r.kind ?? 'help',
            ...(r.pressedAt === undefined ? {} : { pressedAt: limits.clampTime(own.terminalId, 'pressedAt', r.pressedAt) }),
            ...(r.late ? { late: true } : {}),
          });
        },
        'help.cancel': (r: RequestData<T, 'help.cancel'>) => {
          calls.terminalHangup(r.callId, own.terminalId, r.reason);
          return {};
        },
        ...rtcHandlers({
          peer,
          callOfProducer: (producerId) => calls.openCalls().find((c) => c.producers.some((p) => p.id === producerId))?.id,
          pool,
          slotFor: (callId) => (callId ? calls.slotForCall(callId) : own.slot),
          mayProduce: (callId) => {
            if (callId) calls.assertTerminalOwns(callId, own.terminalId);
          },
          onProduce: (callId, producer) => {
            if (callId) {
              calls.addTerminalProducer(callId, own.terminalId, producer);
              this.#opts.media.track(callId, 'terminal', producer);
              return;
            }
            standing.get(producer.kind)?.close();
            standing.set(producer.kind, producer);
            producer.observer.once('close', () => {
              if (standing.get(producer.kind) === producer) standing.delete(producer.kind);
            });
            // Re-joined (or first made) during a call: it goes straight into it.
            const open = calls.openCallOf(own.terminalId);
            if (open) joinCall(open, producer, true);
          },
          // Only the officer audio of this terminal's own call (security/MediaAuthorisation); refusals audited.
          mayConsume: (producerId, transportCallId) => {
            try {
              const owner = this.#opts.media.authoriseTerminal(own.terminalId, transportCallId, producerId);
              return calls.slotForCall(owner.callId);
            } catch (error) {
              const code = error instanceof AppError ? error.code : ErrorCode.Internal;
              this.#opts.audit.write({ actor: `terminal:${own.terminalId}`, action: 'media.consume', target: producerId, outcome: 'refused', detail: { code }, remote: remoteAddress });
              throw error;
            }
          },
          onConsume: (producerId, kind) =>
            this.#opts.audit.write({ actor: `terminal:${own.terminalId}`, action: 'media.consume', target: producerId, detail: { kind, callId: calls.openCallOf(own.terminalId) }, remote: remoteAddress }),
        }),
      }));
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
    // The key sweep also re-checks, which catches revocations made with the CLI by another process.
    const dropIfKeyChanged = () => {
      if (!session) return;
      const key = this.#opts.keys.get(session.terminalId);
      if (key?.state === 'enrolled' && key.keyFingerprint === signedWith) return;
      conn.log.warn({ terminalId: session.terminalId, state: key?.state }, 'terminal key revoked or replaced: dropping its connection');
      conn.close(CloseCode.Unauthenticated, key?.state === 'revoked' ? ErrorCode.TerminalRevoked : ErrorCode.BadSignature);
    };
    const attached: Attached = {
      openCall: (callId) => {
        for (const producer of standing.values()) joinCall(callId, producer, false);
      },
      closeCall: (callId) => {
        peer?.closeCall(callId);
        for (const producer of standing.values()) {
          void producer.pause().catch((err: unknown) => conn.log.debug({ err, producerId: producer.id }, 'standing producer already gone'));
        }
      },
      dropIfKeyChanged,
    };

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
    clearInterval(this.#keySweep);
    for (const conn of this.#connections) conn.close(CloseCode.GoingAway, 'relay_shutdown');
  }
}
