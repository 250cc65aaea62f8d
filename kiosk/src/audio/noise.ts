import { gaussian, seededRandom } from './random.ts';

/** Direct-form biquad (RBJ cookbook), for shaping noise. */
class Biquad {
  #b0: number;
  #b1: number;
  #b2: number;
  #a1: number;
  #a2: number;
  #x1 = 0;
  #x2 = 0;
  #y1 = 0;
  #y2 = 0;

  constructor(kind: 'lowpass' | 'highpass' | 'peak', freqHz: number, q: number, sampleRate: number, gainDb = 0) {
    const w = (2 * Math.PI * freqHz) / sampleRate;
    const cos = Math.cos(w);
    const alpha = Math.sin(w) / (2 * q);
    let b0: number, b1: number, b2: number, a0: number, a1: number, a2: number;
    if (kind === 'peak') {
      const A = 10 ** (gainDb / 40);
      [b0, b1, b2, a0, a1, a2] = [1 + alpha * A, -2 * cos, 1 - alpha * A, 1 + alpha / A, -2 * cos, 1 - alpha / A];
    } else if (kind === 'lowpass') {
      [b0, b1, b2, a0, a1, a2] = [(1 - cos) / 2, 1 - cos, (1 - cos) / 2, 1 + alpha, -2 * cos, 1 - alpha];
    } else {
      [b0, b1, b2, a0, a1, a2] = [(1 + cos) / 2, -(1 + cos), (1 + cos) / 2, 1 + alpha, -2 * cos, 1 - alpha];
    }
    this.#b0 = b0 / a0;
    this.#b1 = b1 / a0;
    this.#b2 = b2 / a0;
    this.#a1 = a1 / a0;
    this.#a2 = a2 / a0;
  }

  step(x: number): number {
    const y = this.#b0 * x + this.#b1 * this.#x1 + this.#b2 * this.#x2 - this.#a1 * this.#y1 - this.#a2 * this.#y2;
    this.#x2 = this.#x1;
    this.#x1 = x;
    this.#y2 = this.#y1;
    this.#y1 = y;
    return y;
  }
}

export interface NoiseOptions {
  /** Long-term RMS level, dBFS. */
  levelDbfs: number;
  seed?: number;
  sampleRate?: number;
}

/** A noise source producing float samples (full scale = 1), block by block. */
export interface NoiseSource {
  next(n: number): Float32Array;
}

/**
 * Street noise in a hutong: a low traffic rumble, tyre hiss, and the swell of
 * vehicles passing every few seconds (an envelope that rises and falls by
 * ~10 dB), so a noise suppressor faces noise that is not stationary.
 */
export class StreetNoise implements NoiseSource {
  readonly #rand: () => number;
  readonly #rumble: Biquad;
  readonly #hiss: Biquad;
  readonly #hissHp: Biquad;
  readonly #rate: number;
  readonly #gain: number;
  #t = 0;
  #nextPass = 0;
  #passStart = -1;
  #passLen = 1;

  constructor(opts: NoiseOptions) {
    this.#rate = opts.sampleRate ?? 48000;
    this.#rand = seededRandom(opts.seed ?? 7);
    this.#rumble = new Biquad('lowpass', 180, 0.7, this.#rate);
    this.#hiss = new Biquad('lowpass', 4000, 0.7, this.#rate);
    this.#hissHp = new Biquad('highpass', 500, 0.7, this.#rate);
    // Calibrated below: the raw mix of unit-variance parts measured once over 10 s.
    this.#gain = 10 ** (opts.levelDbfs / 20) / STREET_RAW_RMS;
    this.#nextPass = Math.round(this.#rate * (1 + this.#rand() * 3));
  }

  next(n: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++, this.#t++) {
      if (this.#t >= this.#nextPass) {
        this.#passStart = this.#t;
        this.#passLen = Math.round(this.#rate * (1.5 + this.#rand() * 2));
        this.#nextPass = this.#t + this.#passLen + Math.round(this.#rate * (1 + this.#rand() * 4));
      }
      let env = 0.55;
      if (this.#passStart >= 0 && this.#t < this.#passStart + this.#passLen) {
        const p = (this.#t - this.#passStart) / this.#passLen;
        env += 1.2 * Math.sin(Math.PI * p) ** 2;
      }
      const w = gaussian(this.#rand);
      const rumble = this.#rumble.step(w) * 6;
      const hiss = this.#hissHp.step(this.#hiss.step(w));
      out[i] = this.#gain * env * (rumble + 0.8 * hiss);
    }
    return out;
  }
}

/** Measured RMS of StreetNoise's mix before scaling (gain 1), so levelDbfs means what it says. */
const STREET_RAW_RMS = 0.58;

/**
 * Stationary noise with the long-term spectrum of speech (most energy at
 * 200–1000 Hz, falling ~10 dB per octave above): the hardest case for a
 * suppressor that must keep the voice.
 */
export class SpeechShapedNoise implements NoiseSource {
  readonly #rand: () => number;
  readonly #hp: Biquad;
  readonly #lp: Biquad;
  readonly #peak: Biquad;
  readonly #gain: number;

  constructor(opts: NoiseOptions) {
    const rate = opts.sampleRate ?? 48000;
    this.#rand = seededRandom(opts.seed ?? 11);
    this.#hp = new Biquad('highpass', 120, 0.7, rate);
    this.#lp = new Biquad('lowpass', 900, 0.6, rate);
    this.#peak = new Biquad('peak', 2800, 1.2, rate, 6);
    this.#gain = 10 ** (opts.levelDbfs / 20) / SPEECH_SHAPED_RAW_RMS;
  }

  next(n: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.#gain * this.#peak.step(this.#lp.step(this.#hp.step(gaussian(this.#rand))));
    return out;
  }
}

const SPEECH_SHAPED_RAW_RMS = 0.186;
