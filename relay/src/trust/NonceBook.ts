import { randomBytes } from 'node:crypto';

export type NonceVerdict = 'ok' | 'unknown' | 'expired' | 'replayed' | 'other_connection';

interface Issued {
  connectionId: string;
  expiresAt: number;
  used: boolean;
}

/**
 * The challenge nonces the relay has handed out. Each is bound to the
 * connection it was sent on, valid for `ttlMs`, and good for one hello.
 * Used nonces are remembered until a while after they expire so a replay is
 * told apart from a made-up nonce.
 */
export class NonceBook {
  readonly #issued = new Map<string, Issued>();
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(opts: { ttlMs: number; now?: () => number }) {
    this.#ttlMs = opts.ttlMs;
    this.#now = opts.now ?? Date.now;
  }

  issue(connectionId: string): string {
    this.#sweep();
    const nonce = randomBytes(32).toString('base64url');
    this.#issued.set(nonce, { connectionId, expiresAt: this.#now() + this.#ttlMs, used: false });
    return nonce;
  }

  /** Uses the nonce up whatever the verdict, so a nonce is never tried twice. */
  consume(nonce: string, connectionId: string): NonceVerdict {
    const entry = this.#issued.get(nonce);
    if (!entry) return 'unknown';
    if (entry.used) return 'replayed';
    entry.used = true;
    if (entry.connectionId !== connectionId) return 'other_connection';
    if (this.#now() > entry.expiresAt) return 'expired';
    return 'ok';
  }

  /** A connection that closed without hello leaves nothing behind. */
  forget(connectionId: string): void {
    for (const [nonce, e] of this.#issued) if (e.connectionId === connectionId && !e.used) this.#issued.delete(nonce);
  }

  get size(): number {
    return this.#issued.size;
  }

  #sweep(): void {
    const cutoff = this.#now() - 10 * this.#ttlMs;
    for (const [nonce, e] of this.#issued) if (e.expiresAt < cutoff) this.#issued.delete(nonce);
  }
}
