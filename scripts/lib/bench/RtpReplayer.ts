import dgram from 'node:dgram';
import type { RtpClip } from './rtpClip.ts';
import type { SrtpEncryptor } from './srtpEncrypt.ts';

/**
 * Replays an RTP clip, in real time and looped, to many destinations from one
 * socket: every simulated call's PlainTransport gets the same packets (SSRCs
 * are per transport in mediasoup, so they may repeat across calls). Each loop
 * continues the sequence numbers and timestamps so the stream never jumps
 * back. Lateness (how far behind schedule a packet left) shows whether the
 * sender, not the relay, was the bottleneck.
 */
export class RtpReplayer {
  readonly #clip: RtpClip;
  readonly #srtp: SrtpEncryptor | null;
  readonly #sock = dgram.createSocket('udp4');
  #targets: number[] = [];
  #timer: ReturnType<typeof setInterval> | null = null;
  #t0 = 0;
  #loop = 0;
  #index = 0;
  #lateness: number[] = [];
  #sent = 0;
  readonly #perLoop = { audio: 0, video: 0 };

  constructor(clip: RtpClip, srtp: SrtpEncryptor | null = null) {
    this.#clip = clip;
    this.#srtp = srtp;
    for (const p of clip.packets) this.#perLoop[p.kind]++;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.#sock.bind(0, '127.0.0.1', resolve));
    this.#sock.setSendBufferSize(4 * 1024 * 1024);
    this.#sock.on('message', () => undefined); // RTCP from the relay: not needed
    this.#t0 = performance.now();
    this.#timer = setInterval(() => this.#tick(), 5);
  }

  /** Sends to these local UDP ports from now on (the calls' PlainTransports). */
  setTargets(ports: number[]): void {
    this.#targets = [...ports];
  }

  get sentPackets(): number {
    return this.#sent;
  }

  takeLateness(): number[] {
    const l = this.#lateness;
    this.#lateness = [];
    return l;
  }

  #tick(): void {
    const now = (performance.now() - this.#t0) / 1000;
    const packets = this.#clip.packets;
    for (;;) {
      const p = packets[this.#index]!;
      const due = this.#loop * this.#clip.durationS + p.at;
      if (due > now) break;
      this.#lateness.push((now - due) * 1000);
      let out: Buffer = Buffer.from(p.data);
      // Continue seq and timestamp across loops.
      const rate = p.kind === 'video' ? 90_000 : 48_000;
      out.writeUInt16BE((p.data.readUInt16BE(2) + this.#loop * this.#perLoop[p.kind]) & 0xffff, 2);
      out.writeUInt32BE((p.data.readUInt32BE(4) + this.#loop * this.#clip.durationS * rate) >>> 0, 4);
      if (this.#srtp) out = this.#srtp.protect(out);
      for (const port of this.#targets) this.#sock.send(out, port, '127.0.0.1');
      this.#sent += this.#targets.length;
      this.#index++;
      if (this.#index === packets.length) {
        this.#index = 0;
        this.#loop++;
      }
    }
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#sock.close();
  }
}
