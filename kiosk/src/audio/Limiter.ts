export interface LimiterOptions {
  /** Gain applied before limiting (a street speaker wants the officer louder than he speaks), dB. */
  gainDb?: number;
  /** Highest peak let through, dBFS. */
  ceilingDbfs?: number;
  /** Time for the gain to recover by ~63 % after a peak, ms. */
  releaseMs?: number;
  /** How far ahead the limiter looks so its gain is already down when a peak arrives, ms (adds this much latency). */
  lookaheadMs?: number;
  sampleRate?: number;
}

/**
 * A look-ahead peak limiter for the officer's voice on the speaker: a shout
 * (or an extra speaker gain) is turned down smoothly instead of clipping,
 * which would distort it for the resident and feed the echo canceller a
 * non-linear echo it cannot model. Interleaved channels share one gain so
 * the stereo image does not wander.
 */
export class Limiter {
  readonly lookaheadSamples: number;
  readonly #gain: number;
  readonly #ceiling: number;
  readonly #release: number;
  readonly #attack: number;
  #delay: Float32Array;
  #delayPos = 0;
  #env = 1;
  #channels = 0;
  #peakHold: Float32Array;
  #holdPos = 0;
  /** Entries of the window below 1: while none, nothing needs limiting and the window is not scanned. */
  #limiting = 0;
  /** Lowest gain applied so far (1 = never limited), for the logs. */
  minGain = 1;

  constructor(opts: LimiterOptions = {}) {
    const rate = opts.sampleRate ?? 48000;
    this.#gain = 10 ** ((opts.gainDb ?? 0) / 20);
    this.#ceiling = 10 ** ((opts.ceilingDbfs ?? -1) / 20) * 32767;
    this.#release = 1 - Math.exp(-1 / (((opts.releaseMs ?? 80) / 1000) * rate));
    this.lookaheadSamples = Math.max(1, Math.round(((opts.lookaheadMs ?? 1.5) / 1000) * rate));
    // The gain reaches its target within the look-ahead (a few time constants).
    this.#attack = 1 - Math.exp(-4 / this.lookaheadSamples);
    this.#delay = new Float32Array(0);
    // The window spans the samples in the delay line plus the one entering.
    this.#peakHold = new Float32Array(this.lookaheadSamples + 1).fill(1);
  }

  /** Limits interleaved samples; returns a new array of the same length (delayed by lookaheadSamples frames). */
  process(samples: Int16Array, channels: number): Int16Array {
    if (channels !== this.#channels) {
      this.#channels = channels;
      this.#delay = new Float32Array(this.lookaheadSamples * channels);
      this.#delayPos = 0;
    }
    const out = new Int16Array(samples.length);
    const frames = Math.floor(samples.length / channels);
    const hold = this.#peakHold;
    for (let f = 0; f < frames; f++) {
      let peak = 0;
      for (let c = 0; c < channels; c++) peak = Math.max(peak, Math.abs(samples[f * channels + c]! * this.#gain));
      // Gain wanted for the loudest sample within the look-ahead window.
      const want = peak > this.#ceiling ? this.#ceiling / peak : 1;
      this.#limiting += (want < 1 ? 1 : 0) - (hold[this.#holdPos]! < 1 ? 1 : 0);
      hold[this.#holdPos] = want;
      this.#holdPos = (this.#holdPos + 1) % hold.length;
      // The oldest entry is the sample now leaving the delay line.
      const leaving = hold[this.#holdPos]!;
      let target = 1;
      if (this.#limiting > 0) for (let k = 0; k < hold.length; k++) if (hold[k]! < target) target = hold[k]!;
      this.#env += (target - this.#env) * (target < this.#env ? this.#attack : this.#release);
      // The smooth envelope is nearly there when a peak leaves; min() makes "nearly" exact.
      const g = Math.min(this.#env, leaving);
      if (g < this.minGain) this.minGain = g;
      for (let c = 0; c < channels; c++) {
        const idx = this.#delayPos * channels + c;
        const delayed = this.#delay[idx]!;
        this.#delay[idx] = samples[f * channels + c]! * this.#gain;
        // The hard clamp only catches rounding: the envelope is already at or below target when the peak leaves the delay.
        out[f * channels + c] = Math.max(-this.#ceiling, Math.min(this.#ceiling, Math.round(delayed * g)));
      }
      this.#delayPos = (this.#delayPos + 1) % this.lookaheadSamples;
    }
    return out;
  }
}
