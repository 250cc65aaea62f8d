import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { formatKeyFingerprint, helloSigningInput } from '@helppoint/shared';

/**
 * The terminal's Ed25519 identity. The private key is made on the Pi, kept in
 * one file readable only by the service's user, and never sent anywhere; the
 * relay gets the raw public key at enrolment.
 */
export class DeviceKey {
  readonly #privateKey: KeyObject;
  /** Raw 32-byte public key, standard base64 (what the relay stores). */
  readonly publicKey: string;

  private constructor(privateKey: KeyObject) {
    this.#privateKey = privateKey;
    const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
    this.publicKey = Buffer.from(jwk.x!, 'base64url').toString('base64');
  }

  get fingerprint(): string {
    return formatKeyFingerprint(createHash('sha256').update(Buffer.from(this.publicKey, 'base64')).digest('hex'));
  }

  static generate(): DeviceKey {
    return new DeviceKey(generateKeyPairSync('ed25519').privateKey);
  }

  /**
   * A key from a 32-byte seed: the same seed gives the same key. Only for
   * simulated fleets (benchmarks) that must know thousands of keys in two
   * processes without passing them around; a real terminal uses generate().
   */
  static fromSeed(seed: Buffer): DeviceKey {
    if (seed.length !== 32) throw new Error('an Ed25519 seed is 32 bytes');
    // PKCS#8 wrapping of a raw Ed25519 private key (RFC 8410): fixed prefix + the seed.
    const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
    return new DeviceKey(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
  }

  /** Refuses a key file others can read, as ssh does: a leaked key lets anyone pose as this terminal. */
  static load(file: string): DeviceKey {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      throw new Error(`no device key at ${file}: this terminal is not enrolled (run: helppoint-kiosk enrol --relay <url> --code <code>)`);
    }
    if ((stat.mode & 0o077) !== 0) throw new Error(`device key ${file} is readable by others (mode ${(stat.mode & 0o777).toString(8)}); chmod 600 it`);
    const key = createPrivateKey(fs.readFileSync(file));
    if (key.asymmetricKeyType !== 'ed25519') throw new Error(`device key ${file} is not an Ed25519 key`);
    return new DeviceKey(key);
  }

  /** Writes the private key as PKCS#8 PEM, mode 0600, atomically (a half-written key would brick the terminal). */
  save(file: string): void {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, this.#privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    fs.chmodSync(tmp, 0o600); // the umask may have narrowed it further, never widened it, but be exact
    fs.renameSync(tmp, file);
  }

  /** The hello signature for this connection's challenge, base64url. */
  signHello(terminalId: string, nonce: string): string {
    return sign(null, Buffer.from(helloSigningInput(terminalId, nonce), 'utf8'), this.#privateKey).toString('base64url');
  }
}
