/**
 * Reads a PCM WAV file (what espeak-ng writes, and what a station records its
 * own prompts as) and turns it into the speaker's format: 48 kHz mono 16-bit.
 * Pure, no I/O.
 */
export const PROMPT_RATE = 48_000;

export interface Pcm {
  samples: Int16Array;
  sampleRate: number;
}

export class WavError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WavError';
  }
}

export function decodeWav(buf: Buffer): Pcm {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new WavError('not a RIFF/WAVE file');
  }
  let fmt: { format: number; channels: number; rate: number; bits: number } | null = null;
  let data: Buffer | null = null;
  for (let off = 12; off + 8 <= buf.length; ) {
    const id = buf.toString('ascii', off, off + 4);
    // espeak-ng streams to files with 0x7fffffff sizes when it cannot seek back; clamp to what exists.
    const size = Math.min(buf.readUInt32LE(off + 4), buf.length - off - 8);
    const body = buf.subarray(off + 8, off + 8 + size);
    if (id === 'fmt ' && size >= 16) {
      fmt = { format: body.readUInt16LE(0), channels: body.readUInt16LE(2), rate: body.readUInt32LE(4), bits: body.readUInt16LE(14) };
    } else if (id === 'data') {
      data = body;
    }
    off += 8 + size + (size % 2);
  }
  if (!fmt) throw new WavError('no fmt chunk');
  if (!data) throw new WavError('no data chunk');
  // 0xFFFE is WAVE_FORMAT_EXTENSIBLE, which for 16-bit PCM carries the same samples.
  if ((fmt.format !== 1 && fmt.format !== 0xfffe) || fmt.bits !== 16) throw new WavError(`only 16-bit PCM is supported (format ${fmt.format}, ${fmt.bits} bits)`);
  if (fmt.channels < 1 || fmt.channels > 8 || fmt.rate < 4000 || fmt.rate > 192_000) throw new WavError(`unusable format: ${fmt.channels} channels at ${fmt.rate} Hz`);
  const frames = Math.floor(data.length / (2 * fmt.channels));
  const mono = new Int16Array(frames);
  for (let i = 0; i < frames; i++) {
    let sum = 0;
    for (let c = 0; c < fmt.channels; c++) sum += data.readInt16LE((i * fmt.channels + c) * 2);
    mono[i] = Math.round(sum / fmt.channels);
  }
  return { samples: mono, sampleRate: fmt.rate };
}

/** Linear interpolation: plenty for speech prompts, and no dependency. */
export function resample(pcm: Pcm, rate: number = PROMPT_RATE): Int16Array {
  if (pcm.sampleRate === rate) return pcm.samples;
  const n = Math.floor((pcm.samples.length * rate) / pcm.sampleRate);
  const out = new Int16Array(n);
  const step = pcm.sampleRate / rate;
  for (let i = 0; i < n; i++) {
    const pos = i * step;
    const j = Math.floor(pos);
    const a = pcm.samples[j] ?? 0;
    const b = pcm.samples[j + 1] ?? a;
    out[i] = Math.round(a + (b - a) * (pos - j));
  }
  return out;
}

/** Builds a 16-bit PCM WAV (tests, and a silent placeholder). */
export function encodeWav(samples: Int16Array, sampleRate: number, channels = 1): Buffer {
  const data = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => data.writeInt16LE(s, i * 2));
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * channels * 2, 28);
  header.writeUInt16LE(channels * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}
