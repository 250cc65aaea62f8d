import { DBFS_FLOOR } from '../hw/audioLevel.ts';

/**
 * Level (dBFS, RMS, same scale as audioLevel.ts) of one frequency in a block
 * of s16 samples: a Goertzel filter over a Hann window. A self-test tone is
 * detected by its own frequency, so the resident's voice, traffic or the
 * simulated voice tone cannot pass for it.
 */
export function toneLevelDbfs(samples: Int16Array, frequencyHz: number, sampleRate: number): number {
  const n = samples.length;
  if (n < 16) return DBFS_FLOOR;
  const w = (2 * Math.PI * frequencyHz) / sampleRate;
  const coeff = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  let windowSum = 0;
  for (let i = 0; i < n; i++) {
    const hann = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1));
    windowSum += hann;
    const s0 = samples[i]! * hann + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  // |X| = A * windowSum / 2 for a sine of amplitude A; its RMS is A / √2.
  const amplitude = (2 * Math.sqrt(Math.max(0, power))) / windowSum;
  const rms = amplitude / Math.SQRT2;
  if (!(rms > 0)) return DBFS_FLOOR;
  return Math.max(DBFS_FLOOR, 20 * Math.log10(rms / 32768));
}

/** One 10 ms frame of a sine at `levelDbfs` (RMS), continuing from `phase`; returns the next phase. */
export function toneFrame(out: Int16Array, frequencyHz: number, sampleRate: number, levelDbfs: number, phase: number): number {
  const peak = 10 ** (levelDbfs / 20) * 32768 * Math.SQRT2;
  const step = (2 * Math.PI * frequencyHz) / sampleRate;
  for (let i = 0; i < out.length; i++) {
    out[i] = Math.max(-32768, Math.min(32767, Math.round(peak * Math.sin(phase))));
    phase += step;
  }
  return phase % (2 * Math.PI);
}
