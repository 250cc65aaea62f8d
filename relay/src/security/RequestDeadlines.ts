import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * The time a client has to send its whole request (body included), per
 * request. Node's requestTimeout is one number for the whole server, and at
 * 30 s it would cut an admin's 200 MiB package upload over a slow link; so
 * node's own limit is raised to the longest upload allowed (a backstop) and
 * this keeps every request to requestTimeoutMs after its headers, unless a
 * route that has checked who is asking gives that one request longer
 * (extend()). Headers keep node's own headersTimeout.
 */
export class RequestDeadlines {
  readonly #normalMs: number;
  readonly #onTimeout: (req: IncomingMessage, res: ServerResponse) => void;
  readonly #timers = new WeakMap<IncomingMessage, { timer: ReturnType<typeof setTimeout>; res: ServerResponse }>();

  /** onTimeout answers 408 and closes the socket (ConnectionGuard.timedOut). */
  constructor(opts: { requestTimeoutMs: number; onTimeout: (req: IncomingMessage, res: ServerResponse) => void }) {
    this.#normalMs = opts.requestTimeoutMs;
    this.#onTimeout = opts.onTimeout;
  }

  /** Before the app's own listener, so a route's extend() always finds its request armed. */
  attach(server: Server): void {
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
      this.#arm(req, res, this.#normalMs);
      // Not on the response's end: a body still arriving after an early answer (401, 413) keeps its deadline.
      req.once('end', () => this.#clear(req));
      req.once('close', () => this.#clear(req));
    });
  }

  /** Gives this request ms from now to finish sending its body (instead of the normal time). */
  extend(req: IncomingMessage, ms: number): void {
    const armed = this.#timers.get(req);
    if (armed) this.#arm(req, armed.res, ms);
  }

  #arm(req: IncomingMessage, res: ServerResponse, ms: number): void {
    this.#clear(req);
    if (ms <= 0) return;
    const timer = setTimeout(() => {
      this.#timers.delete(req);
      // A request whose body has all arrived is the handler's to answer, however long that takes.
      if (!req.complete && !req.destroyed) this.#onTimeout(req, res);
    }, ms);
    timer.unref();
    this.#timers.set(req, { timer, res });
  }

  #clear(req: IncomingMessage): void {
    const t = this.#timers.get(req);
    if (t) clearTimeout(t.timer);
    this.#timers.delete(req);
  }
}
