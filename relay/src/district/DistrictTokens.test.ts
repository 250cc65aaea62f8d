import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DistrictTokenSigner, DistrictTokenVerifier } from './DistrictTokens.ts';

const pair = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { priv: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), pub: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
};
const officer = { username: 'officer1', displayName: '王警官' };
const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    return (e as { code: string }).code;
  }
  return 'accepted';
};

describe('district tokens', () => {
  const k = pair();
  const signer = new DistrictTokenSigner({ privateKeyPem: k.priv, issuer: 'xc-district', ttlMs: 60_000 });
  const atB = new DistrictTokenVerifier({ publicKeyPem: k.pub, station: 'b' });

  it('a token the district signed for this station grants what it says, for its lifetime only', () => {
    const now = Date.now();
    const token = signer.sign(officer, 'b', ['calls.answer'], now);
    expect(atB.verify(token, 'calls.answer', now + 1000)).toMatchObject({ sub: 'officer1', name: '王警官', aud: 'b', iss: 'xc-district' });
    expect(codeOf(() => atB.verify(token, 'camera.lookin', now))).toBe('forbidden');
    expect(codeOf(() => atB.verify(token, 'calls.answer', now + 60_000))).toBe('district_token_invalid');
  });

  it('refuses tokens for another station, signed by another key, altered, or malformed', () => {
    const forA = signer.sign(officer, 'a', ['calls.answer']);
    expect(codeOf(() => atB.verify(forA, 'calls.answer'))).toBe('district_token_invalid');
    const other = new DistrictTokenSigner({ privateKeyPem: pair().priv, issuer: 'xc-district', ttlMs: 60_000 });
    expect(codeOf(() => atB.verify(other.sign(officer, 'b', ['calls.answer']), 'calls.answer'))).toBe('district_token_invalid');
    const good = signer.sign(officer, 'b', ['calls.answer']);
    const [body, sig] = good.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, rights: ['calls.answer', 'camera.lookin'] })).toString('base64url');
    expect(codeOf(() => atB.verify(`${forged}.${sig}`, 'camera.lookin'))).toBe('district_token_invalid');
    for (const bad of ['', 'x', 'a.b.c', `${body}.`, `.${sig}`]) expect(codeOf(() => atB.verify(bad, 'calls.answer'))).toBe('district_token_invalid');
  });

  it('only Ed25519 keys are accepted', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => new DistrictTokenSigner({ privateKeyPem: rsa, issuer: 'x', ttlMs: 1 })).toThrow(/Ed25519/);
  });
});
