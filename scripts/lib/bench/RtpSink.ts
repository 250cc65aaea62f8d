import dgram from 'node:dgram';

interface StreamCount {
  received: number;
  /** Extended highest sequence number seen (wraps counted). */
  maxExt: number;
  firstExt: number;
}

/**
 * A UDP socket that stands in for consoles: it counts RTP packets per SSRC
 * and, from the sequence numbers, how many never arrived.
 */
export class RtpSink {
  readonly #sock = dgram.createSocket('udp4');
  readonly #streams = new Map<number, StreamCount>();

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.#sock.bind(0, '127.0.0.1', resolve));
    this.#sock.setRecvBufferSize(2 * 1024 * 1024);
    this.#sock.on('message', (msg) => this.#onPacket(msg));
    return this.#sock.address().port;
  }

  #onPacket(msg: Buffer): void {
    if (msg.length < 12 || msg[0]! >> 6 !== 2) return;
    const pt = msg[1]! & 0x7f;
    if (pt >= 72 && pt <= 79) return; // RTCP on a muxed port
    if (pt === 127) return; // mediasoup's bandwidth probation padding (SSRC 1234): not media
    const ssrc = msg.readUInt32BE(8);
    const seq = msg.readUInt16BE(2);
    const s = this.#streams.get(ssrc);
    if (!s) {
      this.#streams.set(ssrc, { received: 1, maxExt: seq, firstExt: seq });
      return;
    }
    s.received++;
    // Nearest extension of this seq to the highest one seen.
    const cycle = s.maxExt - (s.maxExt & 0xffff);
    let ext = cycle + seq;
    if (ext < s.maxExt - 0x8000) ext += 0x10000;
    else if (ext > s.maxExt + 0x8000) ext -= 0x10000;
    if (ext > s.maxExt) s.maxExt = ext;
  }

  /** Totals over every stream: packets received, and packets expected from the sequence numbers. */
  totals(): { received: number; expected: number; streams: number } {
    let received = 0;
    let expected = 0;
    for (const s of this.#streams.values()) {
      received += s.received;
      expected += s.maxExt - s.firstExt + 1;
    }
    return { received, expected, streams: this.#streams.size };
  }

  close(): void {
    this.#sock.close();
  }
}
