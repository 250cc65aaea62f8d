import type { Server, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';

/** Per remote address: plain HTTP sockets, and WebSockets per gateway. 0 switches a cap off. */
export interface ConnectionCaps {
  httpPerAddress: number;
  terminalWsPerAddress: number;
  consoleWsPerAddress: number;
  /** All sockets of the process, so a spread-out flood cannot exhaust file descriptors either. */
  total: number;
}

export const DEFAULT_CONNECTION_CAPS: ConnectionCaps = { httpPerAddress: 64, terminalWsPerAddress: 16, consoleWsPerAddress: 16, total: 15_000 };

/**
 * Server-wide timeouts (passed to Fastify / node:http). A client must send
 * its headers within headersTimeout and its whole request (body included)
 * within requestTimeout after them (RequestDeadlines; only an admin's package
 * upload is given longer, by its size), however slowly it dribbles; an idle
 * socket closes after connectionTimeout; node checks these every checkIntervalMs.
 */
export interface ServerTimeouts {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  connectionTimeoutMs: number;
  keepAliveTimeoutMs: number;
  checkIntervalMs: number;
}

export const SERVER_TIMEOUTS: ServerTimeouts = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  connectionTimeoutMs: 60_000,
  keepAliveTimeoutMs: 10_000,
  checkIntervalMs: 1_000,
};

export type WsKind = 'terminal' | 'console';

/**
 * Counts sockets per remote address and refuses those over the caps: plain
 * HTTP at accept, WebSockets at upgrade (an upgraded socket moves from the
 * HTTP count to its gateway's). Refusals and timeouts are logged as one
 * summary line per interval per kind, so a flood cannot flood the log too.
 */
export class ConnectionGuard {
  readonly #caps: ConnectionCaps;
  readonly #log: Logger;
  readonly #http = new Map<string, number>();
  readonly #ws = { terminal: new Map<string, number>(), console: new Map<string, number>() };
  #total = 0;
  readonly #refused = new Map<string, number>();
  #timedOut = 0;
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(opts: { caps: ConnectionCaps; logger: Logger; summaryEveryMs?: number }) {
    this.#caps = opts.caps;
    this.#log = opts.logger.child({ component: 'connection-guard' });
    this.#timer = setInterval(() => this.#summarise(), opts.summaryEveryMs ?? 10_000);
    this.#timer.unref?.();
  }

  /** Wires the guard to the server: counts every accepted socket and logs request timeouts. */
  attach(server: Server): void {
    server.on('connection', (socket: Socket) => this.#onConnection(socket));
  }

  #onConnection(socket: Socket): void {
    const addr = socket.remoteAddress ?? 'unknown';
    if ((this.#caps.total && this.#total >= this.#caps.total) || over(this.#http, addr, this.#caps.httpPerAddress)) {
      this.#count(`http:${addr}`);
      socket.destroy();
      return;
    }
    this.#total++;
    bump(this.#http, addr, 1);
    let where: Map<string, number> = this.#http;
    (socket as Socket & { hpMove?: (to: Map<string, number>) => void }).hpMove = (to) => {
      bump(where, addr, -1);
      bump(to, addr, 1);
      where = to;
    };
    socket.once('close', () => {
      this.#total--;
      bump(where, addr, -1);
    });
  }

  /** At upgrade: false (and the socket answered 503) when the address already has too many sockets of this gateway. */
  admitWebSocket(kind: WsKind, req: IncomingMessage, socket: Duplex): boolean {
    const addr = req.socket.remoteAddress ?? 'unknown';
    const cap = kind === 'terminal' ? this.#caps.terminalWsPerAddress : this.#caps.consoleWsPerAddress;
    if (over(this.#ws[kind], addr, cap)) {
      this.#count(`${kind}:${addr}`);
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 10\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
      return false;
    }
    // Over TLS the request's socket wraps the raw TCP socket that was counted (its _parent).
    const counted = req.socket as Socket & { hpMove?: (to: Map<string, number>) => void; _parent?: Socket & { hpMove?: (to: Map<string, number>) => void } };
    (counted.hpMove ?? counted._parent?.hpMove)?.(this.#ws[kind]);
    return true;
  }

  /** Fastify's clientErrorHandler: slow or broken requests get an answer and a log line. */
  clientError(err: NodeJS.ErrnoException, socket: Socket): void {
    if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || err.code === 'ERR_HTTP_HEADERS_TIMEOUT') return this.timedOut(socket);
    if (socket.writable && err.code !== 'ECONNRESET') {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    }
    socket.destroy();
  }

  /** A request not sent in its time (node's timeouts, RequestDeadlines): 408 (unless already answered), closed, counted. */
  timedOut(socket: Duplex, answered = false): void {
    this.#timedOut++;
    this.#timedOutTotal++;
    if (socket.writable && !answered) socket.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    socket.destroy();
  }

  /** For /metrics and tests. */
  stats(): { total: number; refused: number; timedOut: number } {
    return { total: this.#total, refused: this.#refusedTotal, timedOut: this.#timedOutTotal };
  }

  #refusedTotal = 0;
  #timedOutTotal = 0;

  #count(key: string): void {
    this.#refusedTotal++;
    this.#refused.set(key, (this.#refused.get(key) ?? 0) + 1);
  }

  #summarise(): void {
    if (this.#refused.size) {
      const top = [...this.#refused.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10);
      this.#log.warn({ refused: Object.fromEntries(top), caps: this.#caps, open: this.#total }, 'connections refused: per-address cap reached');
      this.#refused.clear();
    }
    if (this.#timedOut) {
      this.#log.warn({ timedOut: this.#timedOut }, 'slow requests timed out and closed (headers or body sent too slowly)');
      this.#timedOut = 0;
    }
  }

  close(): void {
    clearInterval(this.#timer);
    this.#summarise();
  }
}

function over(map: Map<string, number>, addr: string, cap: number): boolean {
  return cap > 0 && (map.get(addr) ?? 0) >= cap;
}

function bump(map: Map<string, number>, addr: string, by: number): void {
  const n = (map.get(addr) ?? 0) + by;
  if (n <= 0) map.delete(addr);
  else map.set(addr, n);
}
