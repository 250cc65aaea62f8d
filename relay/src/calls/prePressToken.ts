import { ErrorCode } from '@helppoint/shared';
import { checkLink, signLink } from '../security/signedLink.ts';

/**
 * The link a terminal uploads its pre-press clip with (issue 15): the call,
 * the terminal, how much of the clip is from before the press, and an expiry,
 * signed with a relay secret (HMAC-SHA256), as the update downloads are
 * (updates/downloadToken.ts). Another terminal, another call, a changed
 * beforeMs or a link past its expiry get prepress_token_invalid/_expired.
 */
export interface UploadGrant {
  terminalId: string;
  callId: string;
  beforeMs: number;
  /** ms since the epoch */
  expiresAt: number;
}

const fields = (g: UploadGrant) => [g.terminalId, g.callId, g.beforeMs, g.expiresAt];
const sign = (secret: string, g: UploadGrant) => signLink(secret, 'kiosk-prepress', fields(g));

export function uploadPath(secret: string, g: UploadGrant): string {
  const q = new URLSearchParams({ terminal: g.terminalId, before: String(g.beforeMs), exp: String(g.expiresAt), token: sign(secret, g) });
  return `/api/calls/${encodeURIComponent(g.callId)}/prepress?${q.toString()}`;
}

/** Throws unless `token` was made by uploadPath for exactly this grant, and has not expired. */
export function checkUploadToken(secret: string, g: UploadGrant, token: string, now = Date.now()): void {
  checkLink(secret, { purpose: 'kiosk-prepress', fields: fields(g), expiresAt: g.expiresAt, token, now }, {
    invalid: [ErrorCode.PrePressTokenInvalid, 'this upload link was not issued for this terminal and call'],
    expired: [ErrorCode.PrePressTokenExpired, 'this upload link has expired; the terminal asks for a new one'],
  });
}
