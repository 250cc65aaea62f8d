import { Compile } from 'typebox/compile';
import type { Validator } from 'typebox/compile';
import type { TSchema } from 'typebox';
import { AppError, ErrorCode } from './errors.ts';
import { MAX_FRAME_BYTES } from './protocol/limits.ts';
import type { EventCatalog, RequestCatalog } from './protocol/spec.ts';

export type DecodedFrame =
  | { kind: 'request'; id: number; type: string; data: unknown }
  | { kind: 'event'; type: string; data: unknown };

/**
 * Turns one incoming text frame into a checked request or event, or throws an
 * AppError with a stable code. The id of a request is recovered before the
 * payload is checked, so even a bad request gets its error on the right id.
 */
export class FrameDecoder {
  readonly #requests = new Map<string, Validator>();
  readonly #events = new Map<string, Validator>();
  readonly #results = new Map<string, Validator>();
  readonly #maxBytes: number;

  constructor(opts: { requests?: RequestCatalog; events?: EventCatalog; maxBytes?: number }) {
    for (const [type, spec] of Object.entries(opts.requests ?? {})) {
      this.#requests.set(type, Compile(spec.data as TSchema));
      this.#results.set(type, Compile(spec.result as TSchema));
    }
    for (const [type, spec] of Object.entries(opts.events ?? {})) this.#events.set(type, Compile(spec.data as TSchema));
    this.#maxBytes = opts.maxBytes ?? MAX_FRAME_BYTES;
  }

  /** Returns the request id of a frame if one can be read, for error replies. */
  static peekId(frame: unknown): number | null {
    if (frame && typeof frame === 'object' && 'id' in frame) {
      const id = (frame as { id: unknown }).id;
      if (Number.isInteger(id) && (id as number) >= 0) return id as number;
    }
    return null;
  }

  /**
   * Checks what a handler is about to answer against the request's result
   * schema. Returns null when it matches, else where it does not: a handler
   * that answers off-contract is a relay bug, reported instead of sent.
   */
  checkResult(type: string, result: unknown): string | null {
    const validator = this.#results.get(type);
    if (!validator) return `no result schema for "${type}"`;
    if (validator.Check(result)) return null;
    const first = validator.Errors(result)[0];
    return first ? `${first.instancePath || '/'} ${first.message}` : 'invalid';
  }

  decode(text: string, byteLength: number): DecodedFrame {
    if (byteLength > this.#maxBytes) {
      throw new AppError(ErrorCode.FrameTooLarge, `frame of ${byteLength} bytes exceeds ${this.#maxBytes}`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new AppError(ErrorCode.BadJson, 'frame is not valid JSON');
    }
    return this.check(raw);
  }

  check(raw: unknown): DecodedFrame {
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      throw new AppError(ErrorCode.BadMessage, 'frame must be a JSON object');
    }
    const frame = raw as Record<string, unknown>;
    const id = FrameDecoder.peekId(frame);
    const type = frame['type'];
    if (typeof type !== 'string' || type.length > 64) {
      throw new AppError(ErrorCode.BadMessage, 'frame needs a string "type"', id === null ? undefined : { id });
    }
    const hasId = 'id' in frame;
    if (hasId && id === null) throw new AppError(ErrorCode.BadMessage, '"id" must be a non-negative integer');
    const validator = hasId ? this.#requests.get(type) : this.#events.get(type);
    if (!validator) {
      throw new AppError(ErrorCode.UnknownType, `unknown ${hasId ? 'request' : 'event'} type "${type}"`, hasId ? { id } : undefined);
    }
    const data = frame['data'] ?? {};
    if (!validator.Check(data)) {
      const first = validator.Errors(data)[0];
      const where = first ? `${first.instancePath || '/'} ${first.message}` : 'invalid';
      throw new AppError(ErrorCode.BadMessage, `"${type}" data: ${where}`, hasId ? { id } : undefined);
    }
    return hasId ? { kind: 'request', id: id as number, type, data } : { kind: 'event', type, data };
  }
}
