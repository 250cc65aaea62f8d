import { describe, expect, it } from 'vitest';
import { AppError } from '@helppoint/shared';
import { checkDownloadToken, downloadPath } from './downloadToken.ts';

const sha = 'a'.repeat(64);
const secret = 'relay-secret';
const grant = { terminalId: 'XC-SCH-001', sha256: sha, expiresAt: 10_000 };
const tokenOf = (path: string) => new URL(path, 'http://relay').searchParams.get('token')!;
const codeOf = (fn: () => void) => {
  try {
    fn();
    return 'accepted';
  } catch (e) {
    return (e as AppError).code;
  }
};

describe('download token', () => {
  const path = downloadPath(secret, grant);
  const token = tokenOf(path);

  it('names the package, the terminal and the expiry in the path', () => {
    const u = new URL(path, 'http://relay');
    expect(u.pathname).toBe(`/api/updates/download/${sha}`);
    expect(u.searchParams.get('terminal')).toBe('XC-SCH-001');
    expect(u.searchParams.get('exp')).toBe('10000');
  });

  it('is accepted for its own terminal and package until it expires', () => {
    expect(codeOf(() => checkDownloadToken(secret, grant, token, 9_999))).toBe('accepted');
    expect(codeOf(() => checkDownloadToken(secret, grant, token, 10_000))).toBe('accepted');
    expect(codeOf(() => checkDownloadToken(secret, grant, token, 10_001))).toBe('download_token_expired');
  });

  it('is refused for another terminal, another package, a moved expiry, another relay, or a mangled token', () => {
    expect(codeOf(() => checkDownloadToken(secret, { ...grant, terminalId: 'XC-HT-003' }, token, 0))).toBe('download_token_invalid');
    expect(codeOf(() => checkDownloadToken(secret, { ...grant, sha256: 'b'.repeat(64) }, token, 0))).toBe('download_token_invalid');
    expect(codeOf(() => checkDownloadToken(secret, { ...grant, expiresAt: 99_999 }, token, 0))).toBe('download_token_invalid');
    expect(codeOf(() => checkDownloadToken('other-relay', grant, token, 0))).toBe('download_token_invalid');
    expect(codeOf(() => checkDownloadToken(secret, grant, `${token[0] === 'A' ? 'B' : 'A'}${token.slice(1)}`, 0))).toBe('download_token_invalid');
    expect(codeOf(() => checkDownloadToken(secret, grant, '', 0))).toBe('download_token_invalid');
    expect(codeOf(() => checkDownloadToken(secret, { ...grant, expiresAt: Number.NaN }, token, 0))).toBe('download_token_invalid');
  });
});
