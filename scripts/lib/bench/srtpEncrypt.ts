import crypto from 'node:crypto';

/**
 * SRTP sender side for AES_CM_128_HMAC_SHA1_80 (RFC 3711), just enough for
 * the benchmark's simulated terminals: their RTP reaches the relay encrypted,
 * so the worker pays the same decryption cost as for a WebRTC terminal.
 * Every call is sent the same packets, so each is encrypted once.
 */
export class SrtpEncryptor {
  readonly keyBase64: string;
  readonly #cipherKey: Buffer;
  readonly #authKey: Buffer;
  readonly #salt: Buffer;
  /** Rollover counter per SSRC: seq wraps counted from the first packet. */
  readonly #roc = new Map<number, { roc: number; lastSeq: number }>();

  constructor(masterKeyAndSalt: Buffer = crypto.randomBytes(30)) {
    this.keyBase64 = masterKeyAndSalt.toString('base64');
    const masterKey = masterKeyAndSalt.subarray(0, 16);
    const masterSalt = masterKeyAndSalt.subarray(16, 30);
    ({ cipherKey: this.#cipherKey, authKey: this.#authKey, salt: this.#salt } = deriveSrtpKeys(masterKey, masterSalt));
  }

  protect(rtp: Buffer): Buffer {
    const cc = rtp[0]! & 0x0f;
    let headerLen = 12 + 4 * cc;
    if (rtp[0]! & 0x10) headerLen += 4 + 4 * rtp.readUInt16BE(headerLen + 2);
    const ssrc = rtp.readUInt32BE(8);
    const seq = rtp.readUInt16BE(2);
    const state = this.#roc.get(ssrc) ?? { roc: 0, lastSeq: seq };
    if (seq < state.lastSeq && state.lastSeq - seq > 0x8000) state.roc++;
    state.lastSeq = seq;
    this.#roc.set(ssrc, state);
    // IV = (salt << 16) XOR (SSRC << 64) XOR (index << 16), index = ROC << 16 | seq
    const iv = Buffer.alloc(16);
    this.#salt.copy(iv, 0);
    iv.writeUInt32BE((iv.readUInt32BE(4) ^ ssrc) >>> 0, 4);
    iv.writeUInt32BE((iv.readUInt32BE(8) ^ state.roc) >>> 0, 8);
    iv.writeUInt16BE(iv.readUInt16BE(12) ^ seq, 12);
    const cipher = crypto.createCipheriv('aes-128-ctr', this.#cipherKey, iv);
    const body = Buffer.concat([rtp.subarray(0, headerLen), cipher.update(rtp.subarray(headerLen)), cipher.final()]);
    const roc = Buffer.alloc(4);
    roc.writeUInt32BE(state.roc);
    const tag = crypto.createHmac('sha1', this.#authKey).update(body).update(roc).digest().subarray(0, 10);
    return Buffer.concat([body, tag]);
  }
}

/** SRTP session keys from a master key and salt (RFC 3711 §4.3, key derivation rate 0). */
export function deriveSrtpKeys(masterKey: Buffer, masterSalt: Buffer): { cipherKey: Buffer; authKey: Buffer; salt: Buffer } {
  return { cipherKey: derive(masterKey, masterSalt, 0, 16), authKey: derive(masterKey, masterSalt, 1, 20), salt: derive(masterKey, masterSalt, 2, 14) };
}

/** The AES-CM key derivation function (key derivation rate 0). */
function derive(masterKey: Buffer, masterSalt: Buffer, label: number, length: number): Buffer {
  const iv = Buffer.alloc(16);
  masterSalt.copy(iv, 0);
  iv[7] = iv[7]! ^ label;
  const cipher = crypto.createCipheriv('aes-128-ctr', masterKey, iv);
  return Buffer.concat([cipher.update(Buffer.alloc(length)), cipher.final()]);
}
