import { createHash, randomInt } from 'node:crypto';

/** Crockford base32: no I, L, O or U, so a code read aloud or off a phone is hard to mistype. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const LENGTH = 12; // 60 bits: with single use, expiry and rate limits, far beyond guessing

/** A fresh code, formatted XXXX-XXXX-XXXX for people. */
export function newEnrolmentCode(): string {
  let raw = '';
  for (let i = 0; i < LENGTH; i++) raw += ALPHABET[randomInt(ALPHABET.length)];
  return `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8)}`;
}

/** Upper-cases, drops separators and maps look-alikes (O→0, I/L→1); null when it cannot be a code. */
export function normaliseEnrolmentCode(input: string): string | null {
  const s = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (s.length !== LENGTH) return null;
  for (const c of s) if (!ALPHABET.includes(c)) return null;
  return s;
}

export function hashEnrolmentCode(normalised: string): string {
  return createHash('sha256').update(`helppoint-enrolment-code\n${normalised}`).digest('hex');
}
