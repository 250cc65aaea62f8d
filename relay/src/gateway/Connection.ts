import { randomUUID } from 'node:crypto';
import type { WebSocket, RawData } from 'ws';
import type { Logger } from 'pino';
import { AppError, ErrorCode, FrameDecoder, TypedEmitter, type EventCatalog, type EventData, type HandlerTable, type RequestCatalog } from '@helppoint/shared';

/** WebSocket close codes the relay uses (4000-4999 are the application's). */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  TooLarge: 1009,
  Replaced: 4001,
  Unauthenticated: 4003,
  UnknownTerminal: 4004,
  HelloTimeout: 4008,
  DeadPeer: 4010,
} as const;

/**
 * One signalling connection: decodes and checks every frame, dispatches
 * requests to handlers one at a time (so a peer's requests keep their order),
 * and answers each with data or an error code. A bad frame never closes the
 * connection; a dead peer (no pong) does.
 *
 * Typed by the two catalogues of its endpoint: the requests it accepts
 * (handlers are checked against them by the compiler, and every result
 * against its schema before it is sent) and the events it may push.
 */
export class Connection<Req extends RequestCatalog, Ev extends EventCatalog> extends TypedEmitter<{ closed: [number, string] }> {
  readonly id = randomUUID();
  readonly log: Logger;
  readonly #ws: WebSocket;
  readonly #decoder: FrameDecoder;
  #handlers: HandlerTable<Req>;
  #queue: Promise<void> = Promise.resolve();
  #alive = true;
  #pingTimer: ReturnType<typeof setInterval> | null = null;
  #closed = false;

  constructor(opts: {
    ws: WebSocket;
    /** Built once per gateway from the same catalogue as Req. */
    decoder: FrameDecoder;
    handlers: HandlerTable<Req>;
    logger: Logger;
    bindings?: Record<string, unknown>;
    pingIntervalMs: number;
  }) {
    super();
    this.#ws = opts.ws;
    this.#decoder = opts.decoder;
    this.#handlers = opts.handlers;
    // One child logger per connection (thousands of idle terminals: each one costs memory).
    this.log = opts.logger.child({ conn: this.id, ...opts.bindings });
    this.onListenerError = (error, event) => this.log.error({ err: error, event }, 'connection listener failed');
    this.#ws.on('message', (raw, isBinary) => this.#onMessage(raw, isBinary));
    this.#ws.on('close', (code, reason) => this.#onClose(code, reason.toString()));
    this.#ws.on('error', (error) => this.log.warn({ err: error }, 'socket error'));
    this.#ws.on('pong', () => (this.#alive = true));
    this.#pingTimer = setInterval(() => {
      if (!this.#alive) {
        this.log.warn('no pong from peer: closing dead connection');
        this.#ws.terminate();
        return;
      }
      this.#alive = false;
      try {
        this.#ws.ping();
      } catch {
        /* socket already closing */
      }
    }, opts.pingIntervalMs);
    this.#pingTimer.unref?.();
  }

  setHandlers(handlers: HandlerTable<Req>): void {
    this.#handlers = handlers;
  }

  send<K extends keyof Ev & string>(type: K, data: EventData<Ev, K>): void {
    if (this.#ws.readyState !== this.#ws.OPEN) return;
    this.#ws.send(JSON.stringify({ type, data }));
  }

  close(code: number, reason: string): void {
    if (this.#ws.readyState === this.#ws.OPEN || this.#ws.readyState === this.#ws.CONNECTING) this.#ws.close(code, reason);
  }

  get isOpen(): boolean {
    return !this.#closed;
  }

  #onMessage(raw: RawData, isBinary: boolean): void {
    const buf = Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw as ArrayBuffer);
    let frame;
    try {
      if (isBinary) throw new AppError(ErrorCode.BadMessage, 'binary frames are not accepted');
      frame = this.#decoder.decode(buf.toString('utf8'), buf.byteLength);
    } catch (error) {
      const err = error instanceof AppError ? error : new AppError(ErrorCode.BadMessage, 'unreadable frame');
      const id = (err.details?.['id'] as number | undefined) ?? null;
      this.log.warn({ code: err.code, reason: err.message, bytes: buf.byteLength }, 'rejected frame');
      this.#reply({ id, ok: false, error: { code: err.code, message: err.message } });
      return;
    }
    if (frame.kind === 'event') return; // no client events defined yet; decoder refused unknown ones
    const { id, type, data } = frame;
    this.#queue = this.#queue.then(async () => {
      // The decoder only lets through types of the catalogue, so `type` is a key of Req.
      const handler = this.#handlers[type as keyof Req] as ((data: unknown) => unknown) | undefined;
      if (!handler) {
        this.#reply({ id, ok: false, error: { code: ErrorCode.HelloRequired, message: `"${type}" is not allowed now; send hello first` } });
        return;
      }
      try {
        const result = (await handler(data)) ?? {};
        const offContract = this.#decoder.checkResult(type, result);
        if (offContract !== null) {
          this.log.error({ type, where: offContract }, 'handler result does not match its schema: not sent');
          this.#reply({ id, ok: false, error: { code: ErrorCode.Internal, message: 'internal error' } });
          return;
        }
        this.#reply({ id, ok: true, data: result });
      } catch (error) {
        if (error instanceof AppError) {
          this.log.info({ type, code: error.code, reason: error.message }, 'request refused');
          this.#reply({ id, ok: false, error: error.toWire() });
        } else {
          this.log.error({ err: error, type }, 'request failed');
          this.#reply({ id, ok: false, error: { code: ErrorCode.Internal, message: 'internal error' } });
        }
      }
    });
  }

  #reply(frame: unknown): void {
    if (this.#ws.readyState !== this.#ws.OPEN) return;
    this.#ws.send(JSON.stringify(frame));
  }

  #onClose(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#pingTimer) clearInterval(this.#pingTimer);
    this.emit('closed', code, reason);
  }
}
