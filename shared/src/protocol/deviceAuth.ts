import Type from 'typebox';

/**
 * Terminal challenge–response. The relay sends a fresh nonce on every
 * connection; the terminal signs a domain-separated text with its Ed25519 key,
 * so a signature made for this purpose can never be mistaken for (or replayed
 * as) a signature over anything else.
 */
export const HELLO_SIGNATURE_CONTEXT = 'helppoint-hello-v1';

/** 32 random bytes, base64url without padding. */
export const ChallengeNonce = Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' });
/** A 64-byte Ed25519 signature, base64url without padding. */
export const HelloSignature = Type.String({ pattern: '^[A-Za-z0-9_-]{86}$' });

/** The exact bytes a terminal signs in hello (UTF-8). */
export function helloSigningInput(terminalId: string, nonce: string): string {
  return `${HELLO_SIGNATURE_CONTEXT}\n${terminalId}\n${nonce}`;
}

/**
 * How a key fingerprint is shown to people (the Pi's `enrol` output and the
 * console must match character for character): the first 16 bytes of the
 * sha256 of the raw public key, hex, in groups of four.
 */
export function formatKeyFingerprint(sha256Hex: string): string {
  return sha256Hex.slice(0, 32).match(/.{4}/g)!.join(':');
}
