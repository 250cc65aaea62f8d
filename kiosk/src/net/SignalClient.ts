import WebSocket from 'ws';
import type { Logger } from 'pino';
import {
  RpcPeer,
  TypedEmitter,
  backoffDelay,
  FrameDecoder,
  TerminalEvents,
  type TerminalEventArgs,
  type TerminalHealth,
  type TerminalRequestData,
  type TerminalRequestResult,
  type TerminalRequests,
  type TerminalRequestType,
} from '@helppoint/shared';

export type HelloResult = TerminalRequestResult<'hello'>;
/** The events a terminal's call logic hears (auth.challenge stays inside the client). */
export type RelayEventArgs = Exclude<TerminalEventArgs, ['auth.challenge', unknown]>;

export interface SignalClientOptions {
  /** ws(s)://relay/ws/terminal */
  url: string;
  terminalId: string;
  version: string;
  /** Debian architecture of the installed package, told in hello so the relay offers only packages that fit. */
  arch?: string;
  /** Signs this connection's challenge with the device key (DeviceKey.signHello). */
  signHello: (terminalId: string, nonce: string) => string;
  /** Trust this CA for a wss:// relay (pinned station CA); otherwise the system's. */
  ca?: Buffer | undefined;
  logger: Logger;
  backoff?: { baseMs: number; maxMs: number };
  requestTimeoutMs?: number;
  /** The health report sent with every heartbeat (issue 5); omitted when absent or when it throws. */
  health?: () => TerminalHealth | undefined;
}

export interface SignalEvents {
  connected: [HelloResult];
  disconnected: [string];
  /** One relay event; `(type, data) =>` narrows data by type. */
  event: RelayEventArgs;
}

/**
 * The terminal's line to the relay: connects, says hello, heartbeats, and
 * reconnects forever with capped exponential backoff and jitter. Requests
 * made while disconnected fail at once with `disconnected` so the caller can
 * decide (queue, retry, tell the resident).
 */
export class SignalClient extends TypedEmitter<SignalEvents> {
  readonly #opts: SignalClientOptions;
  readonly #log: Logger;
  readonly #events = new FrameDecoder({ events: TerminalEvents });
  #ws: WebSocket | null = null;
  #rpc: RpcPeer<typeof TerminalRequests> | null = null;
  #attempt = 0;
  #reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  #heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  #heartbeatSeq = 0;
  #ready = false;
  #closed = false;
  readonly #startedAt = Date.now();
  lastHello: HelloResult | null = null;
  lastRttMs: number | null = null;
  /** This terminal's clock minus the relay's, ms, from the last heartbeat (midpoint of the round trip). */
  clockOffsetMs: number | null = null;

  constructor(opts: SignalClientOptions) {
    super();
    this.#opts = opts;
    this.#log = opts.logger.child({ component: 'signal' });
    this.onListenerError = (error, event) => this.#log.error({ err: error, event }, 'signal listener failed');
  }

  start(): void {
    this.#connect();
  }

  get ready(): boolean {
    return this.#ready;
  }

  request<K extends TerminalRequestType>(type: K, data: TerminalRequestData<K>, timeoutMs?: number): Promise<TerminalRequestResult<K>> {
    if (!this.#rpc || !this.#ready) return Promise.reject(Object.assign(new Error('not connected to the relay'), { code: 'disconnected' }));
    return this.#rpc.request(type, data, timeoutMs);
  }

  #connect(): void {
    if (this.#closed) return;
    const ws = new WebSocket(this.#opts.url, { handshakeTimeout: 10_000, ...(this.#opts.ca ? { ca: this.#opts.ca } : {}) });
    this.#ws = ws;
    const rpc = new RpcPeer<typeof TerminalRequests>({ send: (text) => ws.send(text), timeoutMs: this.#opts.requestTimeoutMs ?? 10_000 });
    this.#rpc = rpc;
    ws.on('open', () => this.#log.info({ url: this.#opts.url }, 'connected to relay; waiting for its challenge'));
    // hello goes out only in answer to the relay's challenge: it proves this is the enrolled Pi.
    const sayHello = (nonce: string) => {
      const { terminalId, version, arch } = this.#opts;
      rpc
        .request('hello', { terminalId, version, ...(arch ? { arch } : {}), nonce, signature: this.#opts.signHello(terminalId, nonce) })
        .then((hello) => {
          this.#attempt = 0;
          this.#ready = true;
          this.lastHello = hello;
          this.#startHeartbeats(hello.heartbeatIntervalMs);
          this.#log.info({ openCallId: hello.openCallId }, 'relay accepted hello');
          this.emit('connected', hello);
        })
        .catch((error: unknown) => {
          this.#log.error({ err: error }, 'relay refused hello');
          ws.close();
        });
    };
    ws.on('message', (raw) => {
      let frame: unknown;
      try {
        frame = JSON.parse(raw.toString());
      } catch {
        this.#log.warn('relay sent a frame that is not JSON; ignored');
        return;
      }
      if (rpc.handleFrame(frame)) return;
      try {
        // The decoder checked data against the schema of ev.type: the pair is one TerminalEvent.
        const ev = this.#events.check(frame);
        const args = [ev.type, ev.data] as TerminalEventArgs;
        if (args[0] === 'auth.challenge') return sayHello(args[1].nonce);
        this.emit('event', ...args);
      } catch (error) {
        this.#log.warn({ err: error }, 'relay sent an event this terminal does not understand; ignored');
      }
    });
    ws.on('error', (error) => this.#log.warn({ err: error.message }, 'relay connection error'));
    ws.on('close', (code, reason) => {
      const wasReady = this.#ready;
      this.#ready = false;
      this.#stopHeartbeats();
      rpc.failAll(`connection closed (${code})`);
      if (this.#ws === ws) this.#ws = null;
      if (wasReady) this.emit('disconnected', `${code} ${reason.toString()}`.trim());
      this.#scheduleReconnect(code, reason.toString());
    });
  }

  #scheduleReconnect(code: number, reason: string): void {
    if (this.#closed) return;
    const delay = backoffDelay(this.#attempt++, this.#opts.backoff ?? { baseMs: 500, maxMs: 30_000 });
    this.#log.info({ code, reason, attempt: this.#attempt, delayMs: delay }, 'relay connection lost; reconnecting');
    this.#reconnectTimer = setTimeout(() => this.#connect(), delay);
  }

  #startHeartbeats(intervalMs: number): void {
    this.#stopHeartbeats();
    this.#heartbeatTimer = setInterval(() => {
      const sentAt = Date.now();
      this.request('heartbeat', { seq: this.#heartbeatSeq++, uptimeS: (sentAt - this.#startedAt) / 1000, ...this.#healthReport() }).then(
        ({ serverTime }) => {
          const at = Date.now();
          this.lastRttMs = at - sentAt;
          this.clockOffsetMs = Math.round((sentAt + at) / 2 - serverTime);
        },
        (error: unknown) => this.#log.warn({ err: error }, 'heartbeat failed'),
      );
    }, intervalMs);
  }

  #healthReport(): { health?: TerminalHealth } {
    if (!this.#opts.health) return {};
    try {
      const health = this.#opts.health();
      return health ? { health } : {};
    } catch (error) {
      // A broken sensor must never cost the heartbeat itself: that would mark the terminal offline.
      this.#log.error({ err: error }, 'health report failed; heartbeat sent without it');
      return {};
    }
  }

  #stopHeartbeats(): void {
    if (this.#heartbeatTimer) clearInterval(this.#heartbeatTimer);
    this.#heartbeatTimer = null;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopHeartbeats();
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#rpc?.failAll('client closed');
    this.#ws?.close(1000, 'terminal shutting down');
    this.#ws = null;
  }
}
