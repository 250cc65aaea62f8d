import { createHash, randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

const MAX_AGE_S = 90 * 24 * 3600;

/**
 * Known-device cookies (OWASP's "device cookie" defence against lock-out
 * abuse): after a successful sign-in the browser gets a cookie, signed with
 * the relay's secret by @fastify/cookie, naming that account. Attempts that
 * carry it are throttled on their own counter, so an attacker guessing an
 * officer's password elsewhere cannot slow the officer's own desk down.
 */
export class KnownDevices {
  readonly #secure: boolean;

  constructor(opts: { secureCookies: boolean }) {
    this.#secure = opts.secureCookies;
  }

  /** One cookie per account, so a desk PC shared across shifts knows each officer who signed in there. */
  #name(username: string): string {
    return `hp_dev_${createHash('sha256').update(username.trim().toLowerCase()).digest('hex').slice(0, 16)}`;
  }

  /** The device id when the request carries a valid, correctly signed cookie for this account. */
  trusted(req: FastifyRequest, username: string): string | null {
    const raw = req.cookies?.[this.#name(username)];
    if (!raw) return null;
    const r = req.unsignCookie(raw);
    return r.valid && r.value ? r.value : null;
  }

  remember(req: FastifyRequest, reply: FastifyReply, username: string): void {
    const id = this.trusted(req, username) ?? randomUUID();
    reply.setCookie(this.#name(username), id, { signed: true, httpOnly: true, sameSite: 'strict', path: '/api', maxAge: MAX_AGE_S, secure: this.#secure });
  }
}
