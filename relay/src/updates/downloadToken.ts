import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError, ErrorCode } from '@helppoint/shared';

/**
 * The link a terminal downloads an offered package with: the package, the
 * terminal and an expiry, signed with a relay secret (HMAC-SHA256). Anyone
 * else on the station network, another terminal, or the same terminal after
 * the expiry gets download_token_invalid / download_token_expired. Stateless:
 * nothing to store or clean up; a relay restart keeps the secret (SecretRepo).
 */
export interface DownloadGrant {
  terminalId: string;
  sha256: string;
  /** ms since the epoch */
  expiresAt: number;
}

const sign = (secret: string, g: DownloadGrant) => createHmac('sha256', secret).update(`kiosk-download\n${g.terminalId}\n${g.sha256}\n${g.expiresAt}`).digest('base64url');

export function downloadPath(secret: string, g: DownloadGrant): string {
  const q = new URLSearchParams({ terminal: g.terminalId, exp: String(g.expiresAt), token: sign(secret, g) });
  return `/api/updates/download/${g.sha256}?${q.toString()}`;
}

/** Throws unless `token` was made by downloadPath for exactly this terminal and package, and has not expired. */
export function checkDownloadToken(secret: string, g: DownloadGrant, token: string, now = Date.now()): void {
  const want = Buffer.from(sign(secret, g));
  const got = Buffer.from(token);
  if (!Number.isSafeInteger(g.expiresAt) || got.length !== want.length || !timingSafeEqual(got, want)) {
    throw new AppError(ErrorCode.DownloadTokenInvalid, 'this download link was not issued for this terminal and package');
  }
  if (now > g.expiresAt) throw new AppError(ErrorCode.DownloadTokenExpired, 'this download link has expired; the terminal gets a new one with its next offer');
}
