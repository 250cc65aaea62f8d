import { ErrorCode } from '@helppoint/shared';
import { checkLink, signLink } from '../security/signedLink.ts';

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

const fields = (g: DownloadGrant) => [g.terminalId, g.sha256, g.expiresAt];
const sign = (secret: string, g: DownloadGrant) => signLink(secret, 'kiosk-download', fields(g));

export function downloadPath(secret: string, g: DownloadGrant): string {
  const q = new URLSearchParams({ terminal: g.terminalId, exp: String(g.expiresAt), token: sign(secret, g) });
  return `/api/updates/download/${g.sha256}?${q.toString()}`;
}

/** Throws unless `token` was made by downloadPath for exactly this terminal and package, and has not expired. */
export function checkDownloadToken(secret: string, g: DownloadGrant, token: string, now = Date.now()): void {
  checkLink(secret, { purpose: 'kiosk-download', fields: fields(g), expiresAt: g.expiresAt, token, now }, {
    invalid: [ErrorCode.DownloadTokenInvalid, 'this download link was not issued for this terminal and package'],
    expired: [ErrorCode.DownloadTokenExpired, 'this download link has expired; the terminal gets a new one with its next offer'],
  });
}
