import type { WebSocket } from 'ws';
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import {
  AppError,
  ErrorCode,
  HEARTBEAT_INTERVAL_MS,
  HEARTBEAT_MISSES_OFFLINE,
  TypedEmitter,
  type FrameDecoder,
  type HandlerTable,
  type RequestData,
  type TerminalEvents,
  type TerminalRequests,
} from '@helppoint/shared';
import type { NonceBook } from '../trust/NonceBook.ts';
import { verifyHelloSignature } from '../trust/deviceKeys.ts';
import type { TerminalSession } from '../presence/TerminalPresence.ts';
import { MediaPeer } from '../sfu/MediaPeer.ts';
import { CloseCode, Connection } from './Connection.ts';
import { rtcHandlers } from './rtcHandlers.ts';
import type { TerminalGatewayOptions } from './TerminalGateway.ts';

type T = typeof TerminalRequests;

export interface TerminalConnectionOptions {
  ws: WebSocket;
  remoteAddress: string | undefined;
  /** The gateway's dependencies (repos, presence, calls, pool, fleet, settings). */
  deps: TerminalGatewayOptions;
  /** The gateway's logger; the connection makes its child. */
  logger: Logger;
  /** One per gateway, built from TerminalRequests. */
  decoder: FrameDecoder;
  /** The gateway's challenge nonces (one per connection, keyed by connection id). */
  nonces: NonceBook;
}

/**
 * One kiosk's signalling connection, from challenge to close (the role a
 * Peer plays in mediasoup-demo): its hello state, terminal session, media
 * peer, timers and handler table live here; the gateway only keeps the
 * registries. Emits `online` once hello succeeded (the gateway files it under
 * its terminal ID) and `closed` once, after everything it held is released.
 */
export class TerminalConnection extends TypedEmitter<{ online: [terminalId: string]; closed: [code: number, reason: string] }> {
  readonly #deps: TerminalGatewayOptions;
  readonly #conn: Connection<T, typeof TerminalEvents>;
  readonly #nonces: NonceBook;
  readonly #remote: string | undefined;
  readonly #heartbeatMs: number;
  #session: TerminalSession | null = null;
  /** Fingerprint of the key that signed this connection's hello. */
  #signedWith: string | null = null;
  #peer: MediaPeer | null = null;
  /**
   * The terminal's camera and microphone producers on its warm send
   * transport: paused on the relay (nothing is forwarded or recorded) except
   * while a call of this terminal is open.
   */
  readonly #standing = new Map<'audio' | 'video', types.Producer>();
  #helloTimer: ReturnType<typeof setTimeout> | null;
  #silenceTimer: ReturnType<typeof setTimeout> | null = null;
  /** A refused hello closes the socket a moment later, so the refusal's answer gets out first. */
  #refuseTimer: ReturnType<typeof setTimeout> | null = null;
  #closing = false;
  #closed = false;

  constructor(opts: TerminalConnectionOptions) {
    super();
    this.#deps = opts.deps;
    this.#nonces = opts.nonces;
    this.#remote = opts.remoteAddress;
    this.#heartbeatMs = opts.deps.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS;
    this.#conn = new Connection({
      ws: opts.ws,
      decoder: opts.decoder,
      handlers: {},
      logger: opts.logger,
      bindings: { remote: opts.remoteAddress },
      pingIntervalMs: opts.deps.pingIntervalMs ?? this.#heartbeatMs,
    });
    this.onListenerError = (error, event) => this.log.error({ err: error, event }, 'terminal connection listener failed');
    this.#conn.send('auth.challenge', { nonce: this.#nonces.issue(this.id), relayTime: Date.now() });
    this.#helloTimer = setTimeout(() => this.close(CloseCode.HelloTimeout, 'hello_required'), opts.deps.helloTimeoutMs ?? 10_000);
    this.#conn.setHandlers({ hello: (d) => this.#hello(d) });
    this.#conn.on('closed', (code, reason) => this.#onClosed(code, reason));
  }

  get id(): string {
    return this.#conn.id;
  }

  get log(): Logger {
    return this.#conn.log;
  }

  /** The terminal this connection proved to be (null until hello succeeded). */
  get terminalId(): string | null {
    return this.#session?.terminalId ?? null;
  }

  /** False once the socket has closed and everything was released. */
  get isOpen(): boolean {
    return !this.#closed;
  }

  /**
   * Asks the socket to close; may be called any number of times (only the
   * first counts). The connection's own timers stop at once; the session,
   * media and registries are released when the socket has gone (`closed`),
   * exactly as when the kiosk hangs up itself.
   */
  close(code: number = CloseCode.Normal, reason = 'closed'): void {
    if (this.#closing || this.#closed) return;
    this.#closing = true;
    this.#clearTimers();
    this.#conn.close(code, reason);
  }

  /** A call of this terminal was opened: its standing producers join it (the gateway routes callOpened here). */
  openCall(callId: string): void {
    if (this.#closed) return;
    for (const producer of this.#standing.values()) this.#joinCall(callId, producer, false);
  }

  /**
   * A call of this terminal ended: its transports go, and with them every consumer of it (the gateway routes
   * callClosed here). The standing producers stay as they are, idle: the kiosk stops feeding them, and
   * nobody may consume them until the next call (security/MediaAuthorisation).
   */
  closeCall(callId: string): void {
    if (this.#closed) return;
    this.#peer?.closeCall(callId);
  }

  #joinCall(callId: string, producer: types.Producer, publish: boolean): void {
    // Tracked first: addTerminalProducer publishes the call, and a console's consumer is offered then.
    this.#deps.media.track(callId, 'terminal', producer);
    this.#deps.calls.addTerminalProducer(callId, this.#session!.terminalId, producer, publish);
  }

  /** A producer made on the warm send transport (no call named): it stands, replacing one of its kind. */
  #stand(own: TerminalSession, producer: types.Producer): void {
    this.#standing.get(producer.kind)?.close();
    this.#standing.set(producer.kind, producer);
    producer.observer.once('close', () => {
      if (this.#standing.get(producer.kind) === producer) this.#standing.delete(producer.kind);
    });
    // Re-joined (or first made) during a call: it goes straight into it.
    const open = this.#deps.calls.openCallOf(own.terminalId);
    if (open) this.#joinCall(open, producer, true);
  }

  /**
   * A revoked or re-keyed terminal loses its connection at once, not at its next reconnect.
   * The gateway's key sweep also re-checks, which catches revocations made with the CLI by another process.
   */
  dropIfKeyChanged(): void {
    const session = this.#session;
    if (!session || this.#closed) return;
    const key = this.#deps.keys.get(session.terminalId);
    if (key?.state === 'enrolled' && key.keyFingerprint === this.#signedWith) return;
    this.log.warn({ terminalId: session.terminalId, state: key?.state }, 'terminal key revoked or replaced: dropping its connection');
    this.close(CloseCode.Unauthenticated, key?.state === 'revoked' ? ErrorCode.TerminalRevoked : ErrorCode.BadSignature);
  }

  // A terminal that stops heartbeating is offline even if TCP has not noticed
  // yet: when the third heartbeat is due and none came, 3 have been missed
  // (at the default 10 s: offline 30 s after the last one, not later).
  #armSilence(): void {
    if (this.#silenceTimer) clearTimeout(this.#silenceTimer);
    if (this.#closing || this.#closed) return;
    const armedAt = Date.now();
    this.#silenceTimer = setTimeout(() => {
      this.log.warn({ missed: HEARTBEAT_MISSES_OFFLINE, silentMs: Date.now() - armedAt, terminalId: this.#session?.terminalId }, 'heartbeats missed: dropping terminal');
      this.close(CloseCode.DeadPeer, 'heartbeat_timeout');
    }, this.#heartbeatMs * HEARTBEAT_MISSES_OFFLINE);
    this.#silenceTimer.unref?.();
  }

  /**
   * Checks a hello's proof of identity: this connection's nonce, fresh and
   * unused, signed with the terminal's enrolled, unrevoked key. Every refusal
   * is audited and closes the connection (a new challenge needs a new one).
   * Returns the fingerprint of the key that signed.
   */
  #authenticate(d: RequestData<T, 'hello'>): string {
    const refuse = (code: ErrorCode, message: string, closeCode: number = CloseCode.Unauthenticated): never => {
      this.#deps.audit.write({ actor: 'anonymous', action: 'terminal.hello', target: d.terminalId, outcome: 'refused', detail: { code }, remote: this.#remote });
      this.log.warn({ terminalId: d.terminalId, code }, 'terminal hello refused');
      if (!this.#refuseTimer && !this.#closing) this.#refuseTimer = setTimeout(() => this.close(closeCode, code), 50);
      throw new AppError(code, message);
    };
    const verdict = this.#nonces.consume(d.nonce, this.id);
    if (verdict === 'replayed') refuse(ErrorCode.ChallengeReplayed, 'this challenge was already answered once');
    if (verdict === 'unknown' || verdict === 'other_connection') refuse(ErrorCode.ChallengeMismatch, 'sign the challenge sent on this connection');
    if (verdict === 'expired') refuse(ErrorCode.ChallengeExpired, 'the challenge expired; reconnect for a new one');
    const key = this.#deps.keys.get(d.terminalId);
    if (!key) refuse(ErrorCode.UnknownTerminal, `terminal ${d.terminalId} is not registered`, CloseCode.UnknownTerminal);
    if (key!.state === 'unenrolled') refuse(ErrorCode.TerminalNotEnrolled, `terminal ${d.terminalId} has not been enrolled`);
    if (key!.state === 'revoked') refuse(ErrorCode.TerminalRevoked, `terminal ${d.terminalId} has been revoked; re-enrol it`);
    if (!verifyHelloSignature(key!.publicKey!, d.terminalId, d.nonce, d.signature)) refuse(ErrorCode.BadSignature, 'the signature does not match the enrolled key');
    return key!.keyFingerprint!;
  }

  #hello(d: RequestData<T, 'hello'>) {
    const { presence, calls, pool, terminals } = this.#deps;
    if (this.#session) throw new AppError(ErrorCode.AlreadyHello, 'hello was already sent on this connection');
    this.#signedWith = this.#authenticate(d);
    if (!terminals.get(d.terminalId)) throw new AppError(ErrorCode.UnknownTerminal, `terminal ${d.terminalId} is not registered`);
    if (this.#helloTimer) clearTimeout(this.#helloTimer);
    this.#helloTimer = null;
    const slot = pool.acquire();
    const log = this.log.child({ terminalId: d.terminalId });
    const now = Date.now();
    const session: TerminalSession = {
      terminalId: d.terminalId,
      connectionId: this.id,
      slot,
      connectedAt: now,
      lastSeenAt: now,
      send: (type, data) => this.#conn.send(type, data),
      close: (code, reason) => this.close(code, reason),
    };
    this.#session = session;
    this.emit('online', d.terminalId);
    const replaced = presence.add(session);
    if (replaced) {
      log.warn({ previousConnection: replaced.connectionId }, 'terminal connected again: newest connection wins, closing the old one');
      this.#deps.audit.write({ actor: `terminal:${d.terminalId}`, action: 'terminal.replaced', target: d.terminalId, detail: { previousConnection: replaced.connectionId }, remote: this.#remote });
      replaced.close(CloseCode.Replaced, 'replaced');
    }
    this.#peer = new MediaPeer({ logger: log });
    this.#conn.setHandlers(this.#handlers(session, this.#peer, log));
    this.#armSilence();
    log.info({ version: d.version, arch: d.arch, worker: slot.index }, 'terminal online');
    this.#deps.updates?.hello(d.terminalId, { version: d.version, arch: d.arch });
    return {
      routerRtpCapabilities: pool.routerRtpCapabilities,
      heartbeatIntervalMs: this.#heartbeatMs,
      serverTime: now,
      openCallId: calls.openCallOf(d.terminalId),
    };
  }

  /** What an authenticated terminal may ask for. */
  #handlers(own: TerminalSession, peer: MediaPeer, log: Logger): HandlerTable<T> {
    const { presence, calls, fleet, limits, media, audit } = this.#deps;
    return limits.guard(own.terminalId, {
      hello: (d) => this.#hello(d),
      heartbeat: (h: RequestData<T, 'heartbeat'>) => {
        presence.touch(own);
        this.#armSilence();
        log.debug({ seq: h.seq }, 'heartbeat');
        fleet?.heartbeat(own.terminalId, h.health);
        this.#deps.updates?.heartbeat(own.terminalId, h.health);
        return { serverTime: Date.now() };
      },
      'selftest.report': (r: RequestData<T, 'selftest.report'>) => {
        if (!fleet) throw new AppError(ErrorCode.UnknownType, 'this relay keeps no self-tests');
        if (r.report.finishedAt < r.report.startedAt) throw new AppError(ErrorCode.BadMessage, 'a self-test cannot finish before it started');
        const finishedAt = limits.clampTime(own.terminalId, 'selftest.finishedAt', r.report.finishedAt);
        const startedAt = finishedAt === r.report.finishedAt ? r.report.startedAt : finishedAt - Math.min(r.report.finishedAt - r.report.startedAt, 3_600_000);
        fleet.selfTest(own.terminalId, { ...r.report, startedAt, finishedAt });
        return {};
      },
      alarm: (a: RequestData<T, 'alarm'>) => {
        if (!fleet) throw new AppError(ErrorCode.UnknownType, 'this relay keeps no alarms');
        fleet.alarm(own.terminalId, a.kind, a.active);
        // Someone is opening the enclosure of an idle terminal: officers should see it now, not on the fleet page later.
        if (a.kind === 'tamper' && a.active && (this.#deps.tamperCalls ?? true)) {
          const raised = calls.raiseTamper(own.terminalId, Date.now());
          if (raised) log.warn({ callId: raised.callId }, 'door switch opened while idle: tamper call ringing');
        }
        return {};
      },
      'call.audioActivity': (a: RequestData<T, 'call.audioActivity'>) => {
        calls.assertTerminalOwns(a.callId, own.terminalId);
        this.#deps.onAudioActivity?.(a.callId, own.terminalId, { inputDbfs: a.inputDbfs, speaking: a.speaking });
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
      'call.prePressGrant': (g: RequestData<T, 'call.prePressGrant'>) => {
        if (!this.#deps.prePress) throw new AppError(ErrorCode.UnknownType, 'this relay keeps no pre-press clips');
        return this.#deps.prePress.grant(own.terminalId, g.callId, g.beforeMs);
      },
      'update.progress': (p: RequestData<T, 'update.progress'>) => {
        if (!this.#deps.updates) throw new AppError(ErrorCode.UnknownType, 'this relay offers no updates');
        this.#deps.updates.progress(own.terminalId, p);
        return {};
      },
      'help.cancel': (r: RequestData<T, 'help.cancel'>) => {
        calls.terminalHangup(r.callId, own.terminalId, r.reason);
        return {};
      },
      ...rtcHandlers({
        peer,
        callOfProducer: (producerId) => calls.openCalls().find((c) => c.producers.some((p) => p.id === producerId))?.id,
        pool: this.#deps.pool,
        slotFor: (callId) => (callId ? calls.slotForCall(callId) : own.slot),
        mayProduce: (callId) => {
          if (callId) calls.assertTerminalOwns(callId, own.terminalId);
        },
        onProduce: (callId, producer) => {
          if (!callId) return this.#stand(own, producer);
          media.track(callId, 'terminal', producer);
          calls.addTerminalProducer(callId, own.terminalId, producer);
        },
        // Only the officer audio of this terminal's own call (security/MediaAuthorisation); refusals audited.
        mayConsume: (producerId, transportCallId) => {
          try {
            const owner = media.authoriseTerminal(own.terminalId, transportCallId, producerId);
            return calls.slotForCall(owner.callId);
          } catch (error) {
            const code = error instanceof AppError ? error.code : ErrorCode.Internal;
            audit.write({ actor: `terminal:${own.terminalId}`, action: 'media.consume', target: producerId, outcome: 'refused', detail: { code }, remote: this.#remote });
            throw error;
          }
        },
        onConsume: (producerId, kind) =>
          audit.write({ actor: `terminal:${own.terminalId}`, action: 'media.consume', target: producerId, detail: { kind, callId: calls.openCallOf(own.terminalId) }, remote: this.#remote }),
      }),
    });
  }

  #clearTimers(): void {
    if (this.#helloTimer) clearTimeout(this.#helloTimer);
    if (this.#silenceTimer) clearTimeout(this.#silenceTimer);
    if (this.#refuseTimer) clearTimeout(this.#refuseTimer);
    this.#helloTimer = this.#silenceTimer = this.#refuseTimer = null;
  }

  /** The socket has gone (either side closed it): release everything once, then tell the gateway. */
  #onClosed(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing = true;
    this.#clearTimers();
    this.#conn.setHandlers({});
    this.#nonces.forget(this.id);
    this.#peer?.close();
    const session = this.#session;
    if (session) {
      const { presence, calls, pool } = this.#deps;
      pool.release(session.slot);
      const wasCurrent = presence.remove(session);
      this.log.info({ terminalId: session.terminalId, code, reason }, 'terminal offline');
      if (wasCurrent) calls.terminalLost(session.terminalId);
    }
    this.emit('closed', code, reason);
    this.removeAllListeners();
  }
}
