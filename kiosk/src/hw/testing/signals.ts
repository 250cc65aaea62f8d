/** Test helpers for generated audio. */

export function sine(opts: { samples: number; frequencyHz: number; sampleRate: number; amplitude: number; startSample?: number }): Int16Array {
  const out = new Int16Array(opts.samples);
  const start = opts.startSample ?? 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = Math.round(opts.amplitude * 32767 * Math.sin((2 * Math.PI * opts.frequencyHz * (start + i)) / opts.sampleRate));
  }
  return out;
}

/** Sign changes; a sine of f Hz has 2f per second. Zeros are skipped, not counted. */
export function zeroCrossings(samples: ArrayLike<number>): number {
  let crossings = 0;
  let prev = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] as number;
    if (s === 0) continue;
    if (prev !== 0 && Math.sign(s) !== Math.sign(prev)) crossings++;
    prev = s;
  }
  return crossings;
}

export function concatInt16(frames: Int16Array[]): Int16Array {
  const out = new Int16Array(frames.reduce((n, f) => n + f.length, 0));
  let o = 0;
  for (const f of frames) {
    out.set(f, o);
    o += f.length;
  }
  return out;
}
