import dgram from 'node:dgram';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyFrameOptions } from './keyFrames.ts';
import { MEDIA_CODECS } from './mediaCodecs.ts';

/**
 * A camera that behaves like libwebrtc's sender: VP8 at 30 frames a second,
 * a keyframe in the next frame after a PLI, but at most one PLI honoured per
 * 300 ms (the others are dropped without a word).
 */
class Camera {
  readonly socket = dgram.createSocket('udp4');
  honoured = 0;
  dropped = 0;
  #lastHonoured = Number.NEGATIVE_INFINITY;
  #keyFrameDue = true;
  #seq = 1;
  #timer: ReturnType<typeof setInterval> | null = null;

  readonly ssrc: number;
  readonly payloadType: number;

  constructor(ssrc: number, payloadType: number) {
    this.ssrc = ssrc;
    this.payloadType = payloadType;
    this.socket.on('message', (msg) => this.#rtcp(msg));
  }

  start(port: number): void {
    this.#timer = setInterval(() => this.#frame(port), 33);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.socket.close();
  }

  #frame(port: number): void {
    const rtp = Buffer.alloc(12 + 2 + 100);
    rtp[0] = 0x80;
    rtp[1] = 0x80 | this.payloadType; // marker: one packet per frame
    rtp.writeUInt16BE(this.#seq++ & 0xffff, 2);
    rtp.writeUInt32BE((this.#seq * 3000) >>> 0, 4);
    rtp.writeUInt32BE(this.ssrc, 8);
    rtp[12] = 0x10; // VP8 payload descriptor: start of partition 0
    rtp[13] = this.#keyFrameDue ? 0x00 : 0x01; // VP8 header: inverse keyframe bit
    this.#keyFrameDue = false;
    this.socket.send(rtp, port, '127.0.0.1');
  }

  /** Walks a compound RTCP packet for PLIs (payload-specific feedback, FMT 1). */
  #rtcp(msg: Buffer): void {
    for (let off = 0; off + 4 <= msg.length; off += (msg.readUInt16BE(off + 2) + 1) * 4) {
      if (msg[off + 1] !== 206 || (msg[off]! & 0x1f) !== 1) continue;
      const now = performance.now();
      if (now - this.#lastHonoured < 300) {
        this.dropped++;
        continue;
      }
      this.#lastHonoured = now;
      this.honoured++;
      this.#keyFrameDue = true;
    }
  }
}

function isKeyFrame(rtp: Buffer): boolean {
  const csrc = (rtp[0]! & 0x0f) * 4;
  let off = 12 + csrc;
  if (rtp[0]! & 0x10) off += 4 + rtp.readUInt16BE(off + 2) * 4; // header extensions
  return (rtp[off]! & 0x10) !== 0 && (rtp[off]! & 0x07) === 0 && (rtp[off + 1]! & 0x01) === 0;
}

describe('keyframe requests towards a camera that drops requests within 300 ms of the last', () => {
  let worker: types.Worker;
  let router: types.Router;
  beforeAll(async () => {
    worker = await mediasoup.createWorker({ logLevel: 'warn' });
    router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
  });
  afterAll(() => worker?.close());

  async function scenario() {
    const vp8 = router.rtpCapabilities.codecs!.find((c) => c.mimeType === 'video/VP8')!;
    const camera = new Camera(0x1234abcd, vp8.preferredPayloadType!);
    await new Promise<void>((resolve) => camera.socket.bind(0, '127.0.0.1', resolve));
    const ingress = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: true });
    // The same options the relay's MediaPeer gives every producer it makes.
    const producer = await ingress.produce({
      kind: 'video',
      rtpParameters: {
        codecs: [{ mimeType: 'video/VP8', payloadType: vp8.preferredPayloadType!, clockRate: 90000, rtcpFeedback: [{ type: 'nack', parameter: 'pli' }] }],
        encodings: [{ ssrc: camera.ssrc }],
      },
      ...keyFrameOptions('video'),
    });
    camera.start(ingress.tuple.localPort);
    const egress = await router.createDirectTransport();
    const caps: types.RtpCapabilities = { codecs: [{ ...vp8, rtcpFeedback: [{ type: 'nack', parameter: 'pli' }] }], headerExtensions: [] };
    // A console: resumed, it waits for its first keyframe; ms after resuming, or null.
    const console = async (waitMs: number) => {
      const consumer = await egress.consume({ producerId: producer.id, rtpCapabilities: caps, paused: true });
      const t0 = performance.now();
      const got = new Promise<number | null>((resolve) => {
        const timer = setTimeout(() => resolve(null), waitMs);
        consumer.on('rtp', (rtp) => {
          if (!isKeyFrame(rtp)) return;
          clearTimeout(timer);
          resolve(performance.now() - t0);
        });
      });
      await consumer.resume();
      return got;
    };
    return { camera, console, close: () => (camera.stop(), ingress.close(), egress.close()) };
  }

  it('a second console that resumes 100 ms after the first still gets its keyframe well before mediasoup’s 1 s retry, and the camera drops no request', async () => {
    const { camera, console, close } = await scenario();
    try {
      await new Promise((r) => setTimeout(r, 300)); // the producer's stream is live
      const first = await console(3000);
      expect(first).not.toBeNull();
      await new Promise((r) => setTimeout(r, 100));
      const second = await console(3000);
      expect(second).not.toBeNull();
      // Held back until the camera takes requests again (≤ 360 ms after the
      // first), not dropped and retried by mediasoup a second later.
      expect(second!).toBeLessThan(900);
      expect(camera.dropped).toBe(0);
      expect(camera.honoured).toBeGreaterThanOrEqual(2);
    } finally {
      close();
    }
  });
});
