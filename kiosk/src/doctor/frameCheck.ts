import type { VideoFrame } from '../hw/Camera.ts';

/** A few luma pixels of one frame: enough to tell black and frozen apart from a live picture. */
export interface LumaSample {
  values: Uint8Array;
}

/** Every `step`-th pixel of the Y plane (copied: camera buffers may be reused). */
export function sampleLuma(frame: VideoFrame, step = 7): LumaSample {
  const n = frame.width * frame.height;
  const values = new Uint8Array(Math.ceil(n / step));
  for (let i = 0, j = 0; i < n; i += step, j++) values[j] = frame.data[i]!;
  return { values };
}

export interface FrameVerdict {
  ok: boolean;
  problem: 'no_frames' | 'black' | 'frozen' | null;
  meanLuma: number;
  /** Mean absolute luma change between consecutive sampled frames (0 = identical). */
  motion: number;
}

/**
 * Black: the picture is dark and flat (lens covered, sensor dead; limited-range
 * black is Y=16). Frozen: consecutive frames are (nearly) identical, which a
 * live sensor never produces because of its own noise.
 */
export function judgeFrames(samples: LumaSample[], opts: { blackMean?: number; blackSpread?: number; frozenMotion?: number } = {}): FrameVerdict {
  if (samples.length < 2) return { ok: false, problem: 'no_frames', meanLuma: 0, motion: 0 };
  const last = samples.at(-1)!.values;
  let sum = 0;
  let min = 255;
  let max = 0;
  for (const v of last) {
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const meanLuma = sum / last.length;
  let motion = 0;
  for (let f = 1; f < samples.length; f++) {
    const a = samples[f - 1]!.values;
    const b = samples[f]!.values;
    let d = 0;
    for (let i = 0; i < a.length; i++) d += Math.abs(a[i]! - b[i]!);
    motion = Math.max(motion, d / a.length);
  }
  if (meanLuma < (opts.blackMean ?? 28) && max - min < (opts.blackSpread ?? 24)) return { ok: false, problem: 'black', meanLuma, motion };
  if (motion < (opts.frozenMotion ?? 0.05)) return { ok: false, problem: 'frozen', meanLuma, motion };
  return { ok: true, problem: null, meanLuma, motion };
}
