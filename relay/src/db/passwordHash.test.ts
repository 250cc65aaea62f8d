import { describe, expect, it } from 'vitest';
import { hashPassword, needsRehash, parsePasswordHash, verifyPasswordHash } from './passwordHash.ts';

describe('passwordHash', () => {
  it('round-trips, in the documented format, with a fresh salt each time', async () => {
    const a = await hashPassword('前海 correct horse');
    const b = await hashPassword('前海 correct horse');
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2}$/);
    const parsed = parsePasswordHash(a);
    expect(parsed?.salt.length).toBe(16);
    expect(parsed?.hash.length).toBe(32);
    expect(a).not.toBe(b);
    expect(await verifyPasswordHash('前海 correct horse', a)).toBe(true);
    expect(await verifyPasswordHash('前海 correct horse', b)).toBe(true);
    expect(needsRehash(a)).toBe(false);
  });

  it('rejects a wrong password', async () => {
    const h = await hashPassword('secret-1');
    expect(await verifyPasswordHash('secret-2', h)).toBe(false);
    expect(await verifyPasswordHash('', h)).toBe(false);
    expect(await verifyPasswordHash('SECRET-1', h)).toBe(false);
  });

  it('treats malformed or hostile stored hashes as a mismatch without throwing', async () => {
    const good = await hashPassword('pw');
    const [, , , , salt, hash] = good.split('$');
    const bad = [
      '',
      'plaintext',
      'scrypt$16384$8$1$onlyfive',
      `bcrypt$16384$8$1$${salt}$${hash}`,
      `scrypt$16385$8$1$${salt}$${hash}`, // N not a power of two
      `scrypt$1073741824$8$1$${salt}$${hash}`, // would need gigabytes
      `scrypt$16384$0$1$${salt}$${hash}`,
      `scrypt$16384$8$1$!!notbase64!!$${hash}`,
      `scrypt$16384$8$1$${salt}$`,
      `scrypt$16384$8$1$${salt}$${hash}$extra`,
      `scrypt$-16384$8$1$${salt}$${hash}`,
      `scrypt$16384$8$1$${salt}$AAAA`, // key far too short
    ];
    for (const stored of bad) {
      await expect(verifyPasswordHash('pw', stored)).resolves.toBe(false);
      expect(needsRehash(stored)).toBe(true);
    }
    // a tampered hash of the right shape is just a mismatch
    const flipped = `scrypt$16384$8$1$${salt}$${Buffer.alloc(32, 7).toString('base64')}`;
    await expect(verifyPasswordHash('pw', flipped)).resolves.toBe(false);
  });

  it('verifies hashes made with other (valid) parameters and flags them for re-hashing', async () => {
    const { scryptSync } = await import('node:crypto');
    const salt = Buffer.alloc(16, 1);
    const key = scryptSync('old-pw', salt, 32, { N: 4096, r: 8, p: 1 });
    const stored = `scrypt$4096$8$1$${salt.toString('base64')}$${key.toString('base64')}`;
    expect(await verifyPasswordHash('old-pw', stored)).toBe(true);
    expect(needsRehash(stored)).toBe(true);
  });
});
