import type WebSocket from 'ws';
import { backoffDelay, TypedEmitter } from '@helppoint/shared';
import { connectAndHello } from './terminalAuth.ts';

/** The kiosk SignalClient's default reconnect policy (capped exponential, jitter takes off up to half). */
export const KIOSK_BACKOFF = { baseMs: 500, maxMs: 30_000 };

interface SimTerminal {
  id: string;
  ws: WebSocket | null;
  online: boolean;
  attempt: number;
  nextId: number;
  /** request id → sent at (performance.now()) */
  pending: Map<number, number>;
  heartbeat: ReturnType<typeof setInterval> | null;
  retry: ReturnType<typeof setTimeout> | null;
  /** Taken offline by the benchmark: no reconnect until released. */
  held?: boolean;
}

/**
 * Many signalling-only terminals in one process: each connects, says hello,
 * heartbeats at the interval the relay asks for, and reconnects with the
 * kiosk's capped backoff and jitter when its connection drops. No media.
 * Heartbeat lag is the time from sending a heartbeat to its answer.
 */
export class TerminalSwarm extends TypedEmitter<{ online: [number]; offline: [number] }> {
  readonly #url: string;
  readonly #terminals: SimTerminal[];
  readonly #backoff: { baseMs: number; maxMs: number };
  #lags: number[] = [];
  #online = 0;
  #heartbeatFailures = 0;
  #connectFailures = 0;
  #closed = false;

  constructor(opts: { url: string; ids: readonly string[]; backoff?: { baseMs: number; maxMs: number } }) {
    super();
    this.#url = opts.url;
    this.#backoff = opts.backoff ?? KIOSK_BACKOFF;
    this.#terminals = opts.ids.map((id) => ({ id, ws: null, online: false, attempt: 0, nextId: 2, pending: new Map(), heartbeat: null, retry: null }));
  }

  get size(): number {
    return this.#terminals.length;
  }

  get online(): number {
    return this.#online;
  }

  get connectFailures(): number {
    return this.#connectFailures;
  }

  get heartbeatFailures(): number {
    return this.#heartbeatFailures;
  }

  /** Heartbeat round trips since the last call, in ms. */
  takeLags(): number[] {
    const l = this.#lags;
    this.#lags = [];
    return l;
  }

  /** First connection of every terminal, `parallel` handshakes at a time (a ramp, not a storm). */
  async connectAll(parallel = 200): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (!this.#closed && next < this.#terminals.length) {
        const t = this.#terminals[next++]!;
        await this.#connect(t);
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallel, this.#terminals.length) }, worker));
  }

  /** Resolves when every terminal is online, or rejects after `timeoutMs`. */
  whenAllOnline(timeoutMs: number): Promise<void> {
    if (this.#online === this.#terminals.length) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onOnline = (n: number) => {
        if (n < this.#terminals.length) return;
        clearTimeout(timer);
        this.off('online', onOnline);
        resolve();
      };
      const timer = setTimeout(() => {
        this.off('online', onOnline);
        reject(new Error(`only ${this.#online}/${this.#terminals.length} terminals online after ${timeoutMs} ms`));
      }, timeoutMs);
      this.on('online', onOnline);
    });
  }

  async #connect(t: SimTerminal): Promise<void> {
    t.retry = null;
    if (this.#closed) return;
    let accepted;
    try {
      accepted = await connectAndHello(this.#url, t.id);
    } catch {
      this.#connectFailures++;
      this.#scheduleReconnect(t);
      return;
    }
    if (this.#closed) {
      accepted.ws.terminate();
      return;
    }
    const { ws, heartbeatIntervalMs } = accepted;
    t.ws = ws;
    t.attempt = 0;
    t.online = true;
    this.#online++;
    ws.on('message', (raw) => this.#onFrame(t, raw.toString()));
    ws.on('error', () => undefined);
    ws.on('close', () => this.#onClose(t, ws));
    // Real terminals come up at random moments: spread the first beat over one interval.
    const first = setTimeout(() => {
      this.#beat(t);
      t.heartbeat = setInterval(() => this.#beat(t), heartbeatIntervalMs);
    }, Math.random() * heartbeatIntervalMs);
    t.heartbeat = first as unknown as ReturnType<typeof setInterval>;
    this.emit('online', this.#online);
  }

  #beat(t: SimTerminal): void {
    if (!t.ws || t.ws.readyState !== t.ws.OPEN) return;
    const id = t.nextId++;
    // A heartbeat unanswered by the next one counts as failed.
    if (t.pending.size) this.#heartbeatFailures += t.pending.size;
    t.pending.clear();
    t.pending.set(id, performance.now());
    t.ws.send(JSON.stringify({ id, type: 'heartbeat', data: { seq: id, uptimeS: Math.round(performance.now() / 1000) } }));
  }

  #onFrame(t: SimTerminal, text: string): void {
    // Responses carry `"id":<n>` first; events (no id) are ignored without parsing.
    const m = /^\{"id":(\d+)/.exec(text);
    if (!m) return;
    const sentAt = t.pending.get(Number(m[1]));
    if (sentAt === undefined) return;
    t.pending.delete(Number(m[1]));
    if (text.includes('"ok":true')) this.#lags.push(performance.now() - sentAt);
    else this.#heartbeatFailures++;
  }

  #onClose(t: SimTerminal, ws: WebSocket): void {
    if (t.ws !== ws) return;
    t.ws = null;
    if (t.heartbeat) clearInterval(t.heartbeat);
    t.heartbeat = null;
    t.pending.clear();
    if (t.online) {
      t.online = false;
      this.#online--;
      this.emit('offline', this.#online);
    }
    this.#scheduleReconnect(t);
  }

  /** Takes one terminal offline (its socket closes) and keeps it so until release(). */
  hold(id: string): void {
    const t = this.#byId(id);
    t.held = true;
    if (t.retry) clearTimeout(t.retry);
    t.retry = null;
    t.ws?.terminate();
  }

  /** Lets a held terminal connect again, at once. */
  release(id: string): void {
    const t = this.#byId(id);
    t.held = false;
    t.attempt = 0;
    if (!t.ws && !t.retry) void this.#connect(t);
  }

  /** Sends one request frame on a terminal's socket (e.g. help.request); false when it is offline. */
  send(id: string, type: string, data: unknown): boolean {
    const t = this.#byId(id);
    if (!t.ws || t.ws.readyState !== t.ws.OPEN) return false;
    t.ws.send(JSON.stringify({ id: t.nextId++, type, data }));
    return true;
  }

  #byId(id: string): SimTerminal {
    const t = this.#terminals.find((x) => x.id === id);
    if (!t) throw new Error(`no simulated terminal ${id}`);
    return t;
  }

  #scheduleReconnect(t: SimTerminal): void {
    if (this.#closed || t.retry || t.held) return;
    t.retry = setTimeout(() => void this.#connect(t), backoffDelay(t.attempt++, this.#backoff));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#terminals) {
      if (t.heartbeat) clearInterval(t.heartbeat);
      if (t.retry) clearTimeout(t.retry);
      t.ws?.terminate();
      t.ws = null;
    }
  }
}
