import type { WebSocket } from 'ws';
import type { Logger } from 'pino';
import { AppError, ErrorCode, TypedEmitter, type CallView, type ConsoleEvents, type ConsoleRequests, type EventData, type FrameDecoder, type HandlerTable, type RequestData } from '@helppoint/shared';
import type { Officer } from '../calls/CallService.ts';
import { may } from '../trust/roles.ts';
import { MediaPeer } from '../sfu/MediaPeer.ts';
import type { PoolSlot } from '../sfu/WorkerPool.ts';
import { CloseCode, Connection } from './Connection.ts';
import { rtcMedia } from './rtcHandlers.ts';
import { ConsumerOffers } from './ConsumerOffers.ts';
import type { ConsoleGatewayOptions, ConsoleUser } from './ConsoleGateway.ts';

type C = typeof ConsoleRequests;
type Ev = typeof ConsoleEvents;

export interface ConsoleConnectionOptions {
  ws: WebSocket;
  user: ConsoleUser;
  remoteAddress: string | undefined;
  /** The gateway's dependencies (repos, calls, pool, audit). */
  deps: ConsoleGatewayOptions;
  /** The gateway's logger; the connection makes its child. */
  logger: Logger;
  /** One per gateway, built from ConsoleRequests. */
  decoder: FrameDecoder;
  /** Whether a call is for this console's eyes (the gateway knows who opened a look-in). */
  shows: (conn: ConsoleConnection, call: CallView) => boolean;
}

/**
 * One officer's console socket, from upgrade to close (the role a Peer plays
 * in mediasoup-demo): its user, hello state, media peer, call listener and
 * handler table live here; the gateway only keeps the registries. Emits
 * `ready` once hello succeeded (with whether it may see calls) and `closed`
 * once, after everything it held is released.
 */
export class ConsoleConnection extends TypedEmitter<{ ready: [seesCalls: boolean]; closed: [code: number, reason: string] }> {
  readonly user: ConsoleUser;
  readonly #deps: ConsoleGatewayOptions;
  readonly #conn: Connection<C, Ev>;
  readonly #remote: string | undefined;
  readonly #officer: Officer;
  readonly #peer: MediaPeer;
  /** The worker of this console's warm receive transport (calls on other workers are piped to it). */
  #warmSlot: PoolSlot | null = null;
  readonly #shows: ConsoleConnectionOptions['shows'];
  /** Set in #handlers (it needs the consume of the rtc handlers). */
  #offers!: ConsumerOffers;
  readonly #onCallClosed = (callId: string) => {
    this.#peer.closeCall(callId);
    this.#offers.forget(callId);
  };
  #ready = false;
  #closing = false;
  #closed = false;

  constructor(opts: ConsoleConnectionOptions) {
    super();
    const { user } = opts;
    this.user = user;
    this.#deps = opts.deps;
    this.#remote = opts.remoteAddress;
    this.#shows = opts.shows;
    this.#conn = new Connection({
      ws: opts.ws,
      decoder: opts.decoder,
      handlers: {},
      logger: opts.logger,
      bindings: { userId: user.id, user: user.username, remote: opts.remoteAddress },
      pingIntervalMs: opts.deps.pingIntervalMs ?? 15_000,
    });
    this.onListenerError = (error, event) => this.log.error({ err: error, event }, 'console connection listener failed');
    this.#officer = { id: user.id, displayName: user.displayName };
    this.#peer = new MediaPeer({ logger: this.#conn.log });
    this.#conn.setHandlers(this.#handlers());
    this.#deps.calls.on('callClosed', this.#onCallClosed);
    this.#conn.on('closed', (code, reason) => this.#onClosed(code, reason));
  }

  /**
   * A call changed (the gateway calls this right after sending the rings, before the call's bookkeeping
   * listeners): a preview does not outlive another officer's answer, and a ringing camera's consumers are
   * started now; their offer is sent once the worker has made them.
   */
  callChanged(call: CallView): void {
    if (this.#closed) return;
    if (call.state === 'answered' && call.answeredBy?.id !== this.user.id) this.#peer.closeCall(call.id);
    else if (this.#ready && this.#offersFor(call)) this.#offers.offer(call);
  }

  get id(): string {
    return this.#conn.id;
  }

  get log(): Logger {
    return this.#conn.log;
  }

  /** False once the socket has closed and everything was released. */
  get isOpen(): boolean {
    return !this.#closed;
  }

  /** This console's fleet page is loaded: it gets every terminal's fleet.updated (fleet.watch). */
  watchesFleet = false;

  send<K extends keyof Ev & string>(type: K, data: EventData<Ev, K>): void {
    this.#conn.send(type, data);
  }

  /**
   * Asks the socket to close; may be called any number of times (only the
   * first counts). Media, the call listener and the registries are released
   * when the socket has gone (`closed`), as when the browser closes it.
   */
  close(code: number = CloseCode.Normal, reason = 'closed'): void {
    if (this.#closing || this.#closed) return;
    this.#closing = true;
    this.#conn.close(code, reason);
  }

  /** Ringing calls are offered to consoles that may take calls and are shown this one. */
  #offersFor(call: CallView): boolean {
    return call.state === 'ringing' && may(this.user.role, 'calls.answer') && this.#shows(this, call);
  }

  #mayAnswer(): void {
    if (!may(this.user.role, 'calls.answer')) throw new AppError(ErrorCode.Forbidden, `role ${this.user.role} cannot take calls`);
  }

  #audit(action: string, target: string, detail?: Record<string, unknown>): void {
    this.#deps.audit.write({ actor: `user:${this.user.username}`, action, target, detail: detail ?? null, remote: this.#remote });
  }

  /** What a signed-in officer's console may ask for. */
  #handlers(): HandlerTable<C> {
    const { calls, terminals, pool } = this.#deps;
    const user = this.user;
    const officer = this.#officer;
    const mayAnswer = () => this.#mayAnswer();
    const audit = (action: string, target: string, detail?: Record<string, unknown>) => this.#audit(action, target, detail);
    const rtc = rtcMedia({
      peer: this.#peer,
      callOfProducer: (producerId) => calls.openCalls().find((c) => c.producers.some((p) => p.id === producerId))?.id,
      pool: this.#deps.pool,
      slotFor: (callId, direction) => {
        // Media of a call (the terminal's camera) is only for those who may take calls.
        mayAnswer();
        if (callId) {
          const slot = calls.slotForCall(callId);
          this.#deps.media.assertOfficerInCall(user.id, callId);
          return slot;
        }
        if (direction === 'send') throw new AppError(ErrorCode.BadMessage, 'consoles say which call they talk into (only the receive transport is kept warm)');
        // No call: the warm receive transport kept while signed in, so a ring only adds consumers.
        this.#warmSlot ??= this.#deps.pool.acquire();
        return this.#warmSlot;
      },
      mayProduce: (callId, kind) => {
        mayAnswer();
        if (!callId) throw new AppError(ErrorCode.BadMessage, 'consoles must say which call they talk into');
        if (kind !== 'audio') throw new AppError(ErrorCode.BadMessage, 'officers send audio only');
        calls.assertOfficerMayEnd(callId, officer);
      },
      onProduce: (callId, producer) => {
        // mayProduce refused a produce without a call
        calls.addOfficerProducer(callId!, officer, producer);
        this.#deps.media.track(callId!, 'officer', producer);
      },
      // Consuming is authorised against the call this officer is part of (on the warm transport: the
      // producer's call), only a terminal's media in a call this console is shown, and every consume
      // (audio too) is audited.
      mayConsume: (producerId, transportCallId) => {
        mayAnswer();
        try {
          const owner = this.#deps.media.authoriseConsole(user.id, transportCallId, producerId);
          const call = calls.openCalls().find((c) => c.id === owner.callId && this.#shows(this, c));
          if (!call) throw new AppError(ErrorCode.CannotConsume, `producer ${producerId} is in no call this console may see`);
          return calls.slotForCall(call.id);
        } catch (error) {
          const code = error instanceof AppError ? error.code : ErrorCode.Internal;
          this.#deps.audit.write({ actor: `user:${user.username}`, action: 'media.consume', target: producerId, outcome: 'refused', detail: { code, callId: transportCallId ?? null }, remote: this.#remote });
          throw error;
        }
      },
      onConsume: (producerId, kind) => {
        const call = calls.openCalls().find((c) => c.producers.some((p) => p.id === producerId));
        audit(kind === 'video' ? 'camera.view' : 'microphone.listen', call?.terminal.id ?? producerId, { callId: call?.id ?? null, producerId, kind });
      },
      onWarmUp: (transportId, rtpCapabilities) => this.#offers.warmedUp(transportId, rtpCapabilities),
      onResumed: (producerId, kind) => {
        if (kind === 'video') calls.producerViewed(producerId);
      },
    });
    this.#offers = new ConsumerOffers({ consume: rtc.consume, send: (offer) => this.send('rtc.consumersOffered', offer), logger: this.log });
    return {
      hello: () => {
        if (this.#ready) throw new AppError(ErrorCode.AlreadyHello, 'hello was already sent on this connection');
        // Hook (issue 13): responders use /ws/responder; the desk socket is not theirs.
        if (may(user.role, 'responder.self')) throw new AppError(ErrorCode.Forbidden, 'responders use the responder page (/responder.html)');
        this.#ready = true;
        const seesCalls = may(user.role, 'calls.read');
        this.emit('ready', seesCalls);
        this.log.info('console connected');
        return {
          user,
          routerRtpCapabilities: pool.routerRtpCapabilities,
          terminals: terminals.list().map((t) => calls.terminalView(t)),
          calls: seesCalls ? calls.openCalls().filter((c) => this.#shows(this, c)) : [],
        };
      },
      'call.answer': (d: RequestData<C, 'call.answer'>) => {
        mayAnswer();
        const call = calls.answer(d.callId, officer);
        audit('call.answer', d.callId, { terminalId: call.terminal.id });
        return { call };
      },
      'fleet.watch': (d: RequestData<C, 'fleet.watch'>) => {
        if (!may(user.role, 'terminals.read')) throw new AppError(ErrorCode.Forbidden, `role ${user.role} may not see the fleet`);
        this.watchesFleet = d.on;
        return {};
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
          this.#deps.audit.write({ actor: `user:${user.username}`, action: 'camera.lookin', target: d.terminalId, outcome: 'refused', detail: { code }, remote: this.#remote });
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
      ...rtc.handlers,
    };
  }

  /** The socket has gone (either side closed it): release everything once, then tell the gateway. */
  #onClosed(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing = true;
    this.#conn.setHandlers({});
    this.#deps.calls.off('callClosed', this.#onCallClosed);
    this.#offers.close();
    this.#peer.close();
    if (this.#warmSlot) this.#deps.pool.release(this.#warmSlot);
    this.#warmSlot = null;
    this.emit('closed', code, reason);
    this.removeAllListeners();
    this.log.info({ code, reason }, 'console disconnected');
  }
}
