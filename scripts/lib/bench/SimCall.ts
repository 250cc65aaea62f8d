import type { types } from 'mediasoup';
import { CLIP } from './rtpClip.ts';
import type { PoolSlot } from '../../../relay/src/sfu/WorkerPool.ts';

const VIDEO_FEEDBACK = [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }];

/**
 * One simulated help call on a relay router: a terminal producing VP8 + opus
 * over a PlainTransport (fed by the RTP replayer) and two consoles each
 * consuming both over a PlainTransport into a counting sink. Both directions
 * are SRTP, as over WebRTC transports, so the worker decrypts and encrypts as
 * it would for real; the sink only reads the RTP header, which SRTP leaves in
 * the clear. Not simulated: ICE and the DTLS handshake.
 */
export class SimCall {
  readonly sendPort: number;
  readonly producers: types.Producer[];
  readonly consumers: types.Consumer[];
  readonly #transports: types.PlainTransport[];

  private constructor(parts: { sendPort: number; producers: types.Producer[]; consumers: types.Consumer[]; transports: types.PlainTransport[] }) {
    this.sendPort = parts.sendPort;
    this.producers = parts.producers;
    this.consumers = parts.consumers;
    this.#transports = parts.transports;
  }

  /** `srtpKeyBase64`: the key the replayer encrypts with (AES_CM_128_HMAC_SHA1_80), or null for plain RTP. */
  static async create(opts: { slot: PoolSlot; sinkPort: number; consoles: number; srtpKeyBase64: string | null }): Promise<SimCall> {
    const router = opts.slot.router;
    const listenInfo = { protocol: 'udp' as const, ip: '127.0.0.1' };
    const suite = 'AES_CM_128_HMAC_SHA1_80' as const;
    const send = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: true, enableSrtp: opts.srtpKeyBase64 !== null, srtpCryptoSuite: suite });
    if (opts.srtpKeyBase64) await send.connect({ srtpParameters: { cryptoSuite: suite, keyBase64: opts.srtpKeyBase64 } });
    const transports = [send];
    const producers = [
      await send.produce({
        kind: 'video',
        rtpParameters: {
          codecs: [{ mimeType: 'video/VP8', payloadType: CLIP.video.payloadType, clockRate: CLIP.video.clockRate, rtcpFeedback: VIDEO_FEEDBACK }],
          encodings: [{ ssrc: CLIP.video.ssrc }],
        },
      }),
      await send.produce({
        kind: 'audio',
        rtpParameters: {
          codecs: [{ mimeType: 'audio/opus', payloadType: CLIP.audio.payloadType, clockRate: CLIP.audio.clockRate, channels: 2 }],
          encodings: [{ ssrc: CLIP.audio.ssrc }],
        },
      }),
    ];
    const consumers: types.Consumer[] = [];
    for (let c = 0; c < opts.consoles; c++) {
      const recv = await router.createPlainTransport({ listenInfo, rtcpMux: true, comedia: false, enableSrtp: true, srtpCryptoSuite: suite });
      transports.push(recv);
      await recv.connect({
        ip: '127.0.0.1',
        port: opts.sinkPort,
        srtpParameters: { cryptoSuite: suite, keyBase64: Buffer.from(crypto.getRandomValues(new Uint8Array(30))).toString('base64') },
      });
      for (const p of producers) consumers.push(await recv.consume({ producerId: p.id, rtpCapabilities: router.rtpCapabilities, paused: false }));
    }
    return new SimCall({ sendPort: send.tuple.localPort, producers, consumers, transports });
  }

  close(): void {
    for (const t of this.#transports) t.close();
  }
}
