import { AppError, ErrorCode, RpcPeer, TypedEmitter, backoffDelay } from '@helppoint/shared/runtime';
import type { ConsoleRequests } from '@helppoint/shared/types';
import type { ConsoleEventArgs, ConsoleRequestData, ConsoleRequestResult, ConsoleRequestType, HelloResult } from './protocolTypes.ts';

type Peer = RpcPeer<typeof ConsoleRequests>;

export type SocketStatus = 'connecting' | 'connected' | 'reconnecting';

export interface ConsoleSocketEvents {
  status: [SocketStatus, number | null];
  /** Every successful hello, the first and each after a reconnect. */
  hello: [HelloResult];
  /** A pushed event frame (terminal.status, call.updated, …); `(type, data) =>` narrows data by type. */
  event: ConsoleEventArgs;
  /** The relay no longer accepts our session: back to the login screen. */
  unauthenticated: [];
}

export interface ConsoleSocketOptions {
  url: string;
  /** Asked before each reconnect; false means the session is gone (null: could not tell). */
  sessionValid: () => Promise<boolean | null>;
  baseDelayMs?: number;
  maxDelayMs?: number;
  requestTimeoutMs?: number;
}

/** Builds ws(s)://host/ws/console from the page's own origin. */
export function consoleSocketUrl(loc: Pick<Location, 'protocol' | 'host'>): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/ws/console`;
}

/**
 * The console's one WebSocket to the relay: request/response over RpcPeer,
 * `hello` on every (re)connect, and reconnects with capped exponential
 * backoff until close() is called.
 */
export class ConsoleSocket extends TypedEmitter<ConsoleSocketEvents> {
  readonly #opts: Required<ConsoleSocketOptions>;
  #ws: WebSocket | null = null;
  #rpc: Peer | null = null;
  #ready = false;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #closed = false;
  readonly #onOnline = (): void => this.#reconnectNow();

  constructor(opts: ConsoleSocketOptions) {
    super();
    this.#opts = { baseDelayMs: 500, maxDelayMs: 15_000, requestTimeoutMs: 10_000, ...opts };
  }

  get ready(): boolean {
    return this.#ready;
  }

  start(): void {
    window.addEventListener('online', this.#onOnline);
    this.#connect('connecting');
  }

  request<K extends ConsoleRequestType>(type: K, data: ConsoleRequestData<K>): Promise<ConsoleRequestResult<K>> {
    if (!this.#rpc || !this.#ready) return Promise.reject(new AppError(ErrorCode.Disconnected, 'not connected to the relay'));
    return this.#rpc.request(type, data);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    window.removeEventListener('online', this.#onOnline);
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#drop('console closed');
  }

  #connect(status: SocketStatus): void {
    if (this.#closed) return;
    this.emit('status', status, null);
    const ws = new WebSocket(this.#opts.url);
    const rpc: Peer = new RpcPeer({ send: (text) => ws.send(text), timeoutMs: this.#opts.requestTimeoutMs });
    this.#ws = ws;
    this.#rpc = rpc;
    this.#ready = false;
    ws.addEventListener('open', () => void this.#hello(ws, rpc));
    ws.addEventListener('message', (ev) => this.#onMessage(rpc, ev));
    ws.addEventListener('close', () => this.#onClose(ws));
  }

  async #hello(ws: WebSocket, rpc: Peer): Promise<void> {
    try {
      const hello: HelloResult = await rpc.request('hello', {});
      if (ws !== this.#ws) return;
      this.#ready = true;
      this.#attempt = 0;
      this.emit('hello', hello);
      this.emit('status', 'connected', null);
    } catch (error) {
      if (ws !== this.#ws) return;
      if (error instanceof AppError && (error.code === ErrorCode.Unauthenticated || error.code === ErrorCode.Forbidden)) {
        this.close();
        this.emit('unauthenticated');
        return;
      }
      ws.close(4000, 'hello failed');
    }
  }

  #onMessage(rpc: Peer, ev: MessageEvent): void {
    if (typeof ev.data !== 'string') return;
    let frame: unknown;
    try {
      frame = JSON.parse(ev.data);
    } catch {
      console.warn('relay sent a frame that is not JSON');
      return;
    }
    if (rpc.handleFrame(frame)) return;
    // The relay checks what it sends against the same catalogue; the console trusts its own server's frames.
    const f = frame as { type?: unknown; data?: unknown; id?: unknown };
    if (typeof f.type === 'string' && f.id === undefined) this.emit('event', ...([f.type, f.data] as ConsoleEventArgs));
  }

  #onClose(ws: WebSocket): void {
    if (ws !== this.#ws) return;
    this.#drop('socket closed');
    if (this.#closed) return;
    const delay = backoffDelay(this.#attempt++, { baseMs: this.#opts.baseDelayMs, maxMs: this.#opts.maxDelayMs });
    this.emit('status', 'reconnecting', Date.now() + delay);
    this.#timer = setTimeout(() => void this.#retry(), delay);
  }

  async #retry(): Promise<void> {
    this.#timer = null;
    // A closed socket may mean the session expired: the browser cannot see the upgrade's 401.
    const valid = await this.#opts.sessionValid().catch(() => null);
    if (this.#closed) return;
    if (valid === false) {
      this.close();
      this.emit('unauthenticated');
      return;
    }
    this.#connect('reconnecting');
  }

  #reconnectNow(): void {
    if (this.#closed || this.#ready || !this.#timer) return;
    clearTimeout(this.#timer);
    this.#timer = null;
    this.#attempt = 0;
    void this.#retry();
  }

  #drop(reason: string): void {
    const ws = this.#ws;
    this.#ready = false;
    this.#rpc?.failAll(reason);
    this.#rpc = null;
    this.#ws = null;
    if (ws && ws.readyState <= WebSocket.OPEN) ws.close(1000, reason);
  }
}
