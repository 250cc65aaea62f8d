import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { helloSigningInput } from '@helppoint/shared';
import { DeviceKey } from './deviceKey.ts';

const verify = (publicKeyB64: string, terminalId: string, nonce: string, signature: string) => {
  const key = crypto.createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKeyB64, 'base64').toString('base64url') }, format: 'jwk' });
  return crypto.verify(null, Buffer.from(helloSigningInput(terminalId, nonce)), key, Buffer.from(signature, 'base64url'));
};

describe('DeviceKey', () => {
  it('signs hellos the public key verifies, and only for that terminal and nonce', () => {
    const key = DeviceKey.generate();
    const sig = key.signHello('XC-SCH-001', 'nonce-1');
    expect(verify(key.publicKey, 'XC-SCH-001', 'nonce-1', sig)).toBe(true);
    expect(verify(key.publicKey, 'XC-SCH-002', 'nonce-1', sig)).toBe(false);
    expect(verify(key.publicKey, 'XC-SCH-001', 'nonce-2', sig)).toBe(false);
  });

  it('a seed gives the same key every time; different seeds differ', () => {
    const seed = crypto.createHash('sha256').update('x').digest();
    const a = DeviceKey.fromSeed(seed);
    expect(DeviceKey.fromSeed(seed).publicKey).toBe(a.publicKey);
    expect(DeviceKey.fromSeed(crypto.createHash('sha256').update('y').digest()).publicKey).not.toBe(a.publicKey);
    expect(verify(a.publicKey, 'BENCH-00001', 'n', a.signHello('BENCH-00001', 'n'))).toBe(true);
    expect(() => DeviceKey.fromSeed(Buffer.alloc(16))).toThrow(/32 bytes/);
  });

  it('saves with mode 0600 and refuses to load a key others can read', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-key-'));
    const file = path.join(dir, 'device-key.pem');
    const key = DeviceKey.generate();
    key.save(file);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(DeviceKey.load(file).publicKey).toBe(key.publicKey);
    fs.chmodSync(file, 0o644);
    expect(() => DeviceKey.load(file)).toThrow(/readable by others/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
