import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError, type ErrorCode } from '@helppoint/shared';

/**
 * Stateless signed links a terminal is handed over its signed socket (update
 * downloads, pre-press uploads): the fields the link is for, and an expiry,
 * signed with a relay secret (HMAC-SHA256). `purpose` keeps a link of one
 * kind from being valid as another. Nothing to store or clean up; a relay
 * restart keeps the secret (SecretRepo).
 */
export function signLink(secret: string, purpose: string, fields: readonly (string | number)[]): string {
  return createHmac('sha256', secret).update([purpose, ...fields].join('\n')).digest('base64url');
}

/** Throws `invalid` unless `token` was made by signLink for exactly these fields, `expired` once past expiresAt. */
export function checkLink(
  secret: string,
  link: { purpose: string; fields: readonly (string | number)[]; expiresAt: number; token: string; now: number },
  errors: { invalid: [ErrorCode, string]; expired: [ErrorCode, string] },
): void {
  const want = Buffer.from(signLink(secret, link.purpose, link.fields));
  const got = Buffer.from(link.token);
  const numbersOk = Number.isSafeInteger(link.expiresAt) && link.fields.every((f) => typeof f !== 'number' || Number.isSafeInteger(f));
  if (!numbersOk || got.length !== want.length || !timingSafeEqual(got, want)) throw new AppError(...errors.invalid);
  if (link.now > link.expiresAt) throw new AppError(...errors.expired);
}
