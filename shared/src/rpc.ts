import { AppError, ErrorCode, isErrorCode } from './errors.ts';
import type { RequestCatalog, RequestData, RequestResult } from './protocol/spec.ts';

interface Pending {
  resolve: (data: unknown) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
  type: string;
}

/**
 * The request/response half of the wire envelope, independent of the socket:
 * `send` writes a text frame; `handleFrame` is fed every parsed frame that
 * arrives. Used by the kiosk's signalling client, the console and the tests.
 * Typed by the catalogue of requests it may send: `request('hello', …)`
 * takes that request's data and resolves with its result type.
 * No TypeBox at run time (the console bundles this file).
 */
export class RpcPeer<C extends RequestCatalog = RequestCatalog> {
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  readonly #send: (text: string) => void;
  readonly #timeoutMs: number;

  constructor(opts: { send: (text: string) => void; timeoutMs?: number }) {
    this.#send = opts.send;
    this.#timeoutMs = opts.timeoutMs ?? 10_000;
  }

  request<K extends keyof C & string>(type: K, data: RequestData<C, K>, timeoutMs = this.#timeoutMs): Promise<RequestResult<C, K>> {
    const id = this.#nextId++;
    return new Promise<RequestResult<C, K>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new AppError(ErrorCode.Timeout, `no answer to "${type}" within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve: resolve as (d: unknown) => void, reject, timer, type });
      try {
        this.#send(JSON.stringify({ id, type, data }));
      } catch (error) {
        clearTimeout(timer);
        this.#pending.delete(id);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  event(type: string, data: unknown = {}): void {
    this.#send(JSON.stringify({ type, data }));
  }

  /**
   * Feeds one parsed frame. Returns true if it was a response to one of our
   * requests; false means it is an event (or unsolicited) for the caller to handle.
   */
  handleFrame(frame: unknown): boolean {
    if (!frame || typeof frame !== 'object' || !('ok' in frame)) return false;
    const f = frame as { id?: unknown; ok: unknown; data?: unknown; error?: { code?: unknown; message?: unknown; details?: unknown } };
    if (typeof f.id !== 'number') return false;
    const pending = this.#pending.get(f.id);
    if (!pending) return true; // late answer to a timed-out request: nothing waits for it
    this.#pending.delete(f.id);
    clearTimeout(pending.timer);
    if (f.ok === true) pending.resolve(f.data);
    else {
      const code = isErrorCode(f.error?.code) ? f.error.code : ErrorCode.Internal;
      pending.reject(new AppError(code, String(f.error?.message ?? 'request failed')));
    }
    return true;
  }

  /** Fails every request still waiting, e.g. when the socket closed. */
  failAll(reason: string): void {
    for (const [id, p] of this.#pending) {
      clearTimeout(p.timer);
      p.reject(new AppError(ErrorCode.Disconnected, `"${p.type}" failed: ${reason}`));
      this.#pending.delete(id);
    }
  }

  get pendingCount(): number {
    return this.#pending.size;
  }
}
