import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { AppError, ErrorCode, formatKeyFingerprint, helloSigningInput } from '@helppoint/shared';

const B64 = /^[A-Za-z0-9+/]{43}=$/;

/**
 * Checks a terminal's public key as sent at enrolment: raw 32-byte Ed25519 in
 * standard base64 (44 characters). Anything else is bad_public_key.
 */
export function parsePublicKey(base64: string): KeyObject {
  if (!B64.test(base64)) throw new AppError(ErrorCode.BadPublicKey, 'publicKey must be a raw 32-byte Ed25519 key in base64');
  const raw = Buffer.from(base64, 'base64');
  if (raw.length !== 32) throw new AppError(ErrorCode.BadPublicKey, 'publicKey must be 32 bytes');
  try {
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
  } catch {
    throw new AppError(ErrorCode.BadPublicKey, 'publicKey is not an Ed25519 key');
  }
}

/** What a technician compares with the Pi's `enrol` output. */
export function keyFingerprint(base64: string): string {
  return formatKeyFingerprint(createHash('sha256').update(Buffer.from(base64, 'base64')).digest('hex'));
}

/** True only when `signature` (base64url) is the terminal's signature over this connection's nonce. */
export function verifyHelloSignature(publicKeyB64: string, terminalId: string, nonce: string, signature: string): boolean {
  const sig = Buffer.from(signature, 'base64url');
  if (sig.length !== 64) return false;
  try {
    return verify(null, Buffer.from(helloSigningInput(terminalId, nonce), 'utf8'), parsePublicKey(publicKeyB64), sig);
  } catch {
    return false;
  }
}
