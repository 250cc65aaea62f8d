import { createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { Compile } from 'typebox/compile';
import { AppError, ErrorCode } from '@helppoint/shared';
import { DistrictTokenClaims, type DistrictRight } from '../../../shared/src/protocol/district.ts';

const checkClaims = Compile(DistrictTokenClaims);
const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** The district signs what one of its officers may do at one station, for a few minutes. */
export class DistrictTokenSigner {
  readonly #key: KeyObject;
  readonly #issuer: string;
  readonly #ttlMs: number;

  constructor(opts: { privateKeyPem: string; issuer: string; ttlMs: number }) {
    this.#key = createPrivateKey(opts.privateKeyPem);
    if (this.#key.asymmetricKeyType !== 'ed25519') throw new Error('the district signing key must be Ed25519');
    this.#issuer = opts.issuer;
    this.#ttlMs = opts.ttlMs;
  }

  get publicKeyPem(): string {
    return createPublicKey(this.#key).export({ type: 'spki', format: 'pem' }).toString();
  }

  sign(officer: { username: string; displayName: string }, station: string, rights: DistrictRight[], now = Date.now()): string {
    const claims: DistrictTokenClaims = {
      iss: this.#issuer,
      sub: officer.username,
      name: officer.displayName,
      aud: station,
      rights,
      iat: now,
      exp: now + this.#ttlMs,
      jti: randomBytes(12).toString('base64url'),
    };
    const body = b64(JSON.stringify(claims));
    return `${body}.${b64(sign(null, Buffer.from(body), this.#key))}`;
  }
}

/** A station checks a district token: the district's signature, for this station, not expired, granting the right. */
export class DistrictTokenVerifier {
  readonly #key: KeyObject;
  readonly #station: string;

  constructor(opts: { publicKeyPem: string; station: string }) {
    this.#key = createPublicKey(opts.publicKeyPem);
    if (this.#key.asymmetricKeyType !== 'ed25519') throw new Error('the district public key must be Ed25519');
    this.#station = opts.station;
  }

  verify(token: string, right: DistrictRight, now = Date.now()): DistrictTokenClaims {
    const bad = (why: string) => new AppError(ErrorCode.DistrictTokenInvalid, `district token refused: ${why}`);
    const [body, sig, extra] = token.split('.');
    if (!body || !sig || extra !== undefined) throw bad('malformed');
    if (!verify(null, Buffer.from(body), this.#key, Buffer.from(sig, 'base64url'))) throw bad('bad signature');
    let claims: unknown;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      throw bad('malformed');
    }
    if (!checkClaims.Check(claims)) throw bad('malformed claims');
    if (claims.aud !== this.#station) throw bad(`issued for station ${claims.aud}`);
    if (claims.exp <= now) throw bad('expired');
    if (claims.iat > now + 60_000) throw bad('issued in the future');
    if (!claims.rights.includes(right)) throw new AppError(ErrorCode.Forbidden, `district token does not grant ${right}`);
    return claims;
  }
}
