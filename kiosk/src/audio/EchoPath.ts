import { seededRandom, gaussian } from './random.ts';

export interface EchoPathOptions {
  /** Speaker → microphone delay of the direct sound (device buffers + air), ms. */
  delayMs: number;
  /** How much quieter the direct sound is at the microphone than at the speaker, dB (0 = as loud). */
  lossDb: number;
  /** Time for the reflections to decay by 60 dB, ms (a metal box in an alley: short). */
  rt60Ms?: number;
  /** Energy of all reflections relative to the direct sound, dB. */
  reflectionsDb?: number;
  /**
   * Loudspeaker non-linearity, 0 (none) .. 1 (a cheap speaker driven hard): how much a full-scale peak is
   * compressed, 9 % at 0.2 (the default, "a little") and 62 % at 1. On speech at −20 dBFS a linear echo
   * canceller can then remove at most 34.6 dB at 0.2, 20.8 dB at 0.5, 13 dB at 1 (scripts/bench-audio prints it).
   */
  distortion?: number;
  /** Picks the reflection pattern; another seed is another room. */
  seed?: number;
  sampleRate?: number;
}

interface Tap {
  lag: number;
  gain: number;
}

const REFLECTIONS = 40;

/**
 * The acoustic path from a terminal's loudspeaker to its microphone: a slight
 * loudspeaker distortion, a delay, then a direct path plus sparse reflections
 * decaying exponentially (a cheap stand-in for a measured room response that
 * still gives an echo canceller a realistic tail and a non-linear residue).
 * Streaming: process() keeps the history between calls; setPath() changes the
 * room (someone opens the enclosure, a bus parks beside it) without losing it.
 */
export class EchoPath {
  readonly sampleRate: number;
  #taps: Tap[] = [];
  #drive = 0;
  #asym = 0;
  #history: Float32Array;
  #pos = 0;
  #opts!: Required<EchoPathOptions>;

  constructor(opts: EchoPathOptions) {
    this.sampleRate = opts.sampleRate ?? 48000;
    // Room for 1 s of delay plus the tail: longer paths are refused by setPath.
    this.#history = new Float32Array(this.sampleRate * 2);
    this.setPath(opts);
  }

  get options(): Readonly<Required<EchoPathOptions>> {
    return this.#opts;
  }

  setPath(opts: EchoPathOptions): void {
    const o: Required<EchoPathOptions> = {
      rt60Ms: 120,
      reflectionsDb: -8,
      distortion: 0.2,
      seed: 1,
      sampleRate: this.sampleRate,
      ...opts,
    };
    if (!(o.delayMs >= 0 && o.delayMs <= 1000)) throw new RangeError(`echo delay ${o.delayMs} ms outside 0..1000`);
    if (!(o.rt60Ms > 0 && o.rt60Ms <= 800)) throw new RangeError(`rt60 ${o.rt60Ms} ms outside (0, 800]`);
    if (!Number.isFinite(o.lossDb)) throw new RangeError('echo loss must be a number of dB');
    this.#opts = o;
    const rate = this.sampleRate;
    const rand = seededRandom(o.seed);
    const delay = Math.round((o.delayMs / 1000) * rate);
    const taps: Tap[] = [{ lag: delay, gain: 1 }];
    // Reflections arrive over the first ~rt60/2 (later ones are below −30 dB anyway), amplitude e^(−6.9 t / rt60).
    let energy = 0;
    const refl: Tap[] = [];
    for (let i = 0; i < REFLECTIONS; i++) {
      const t = 0.0007 + rand() * (o.rt60Ms / 1000) * 0.5;
      const gain = gaussian(rand) * Math.exp((-6.9 * t) / (o.rt60Ms / 1000));
      refl.push({ lag: delay + Math.round(t * rate), gain });
      energy += gain * gain;
    }
    const scale = energy > 0 ? Math.sqrt(10 ** (o.reflectionsDb / 10) / energy) : 0;
    for (const r of refl) taps.push({ lag: r.lag, gain: r.gain * scale });
    const loss = 10 ** (-o.lossDb / 20);
    this.#taps = taps.map((t) => ({ lag: t.lag, gain: t.gain * loss }));
    if (!(o.distortion >= 0 && o.distortion <= 1)) throw new RangeError(`loudspeaker distortion ${o.distortion} outside 0..1`);
    this.#drive = 3 * o.distortion;
    this.#asym = 0.05 * o.distortion;
  }

  /** Echo at the microphone for these speaker samples (same length, float, full scale = 1). */
  process(speaker: Int16Array | Float32Array, fullScale = speaker instanceof Int16Array ? 32768 : 1): Float32Array {
    const out = new Float32Array(speaker.length);
    const h = this.#history;
    const size = h.length;
    const taps = this.#taps;
    const drive = this.#drive;
    const asym = this.#asym;
    for (let n = 0; n < speaker.length; n++) {
      const x = speaker[n]! / fullScale;
      // A loudspeaker compresses its peaks (tanh, with a small-signal gain of 1, so 0 is truly linear) and is
      // slightly asymmetric (even harmonics). Until 2026-12-04 the curve was tanh(d·x)/tanh(d) with d = 1 + 3·distortion:
      // even "none" compressed full-scale peaks by 24 % and played quiet sound 2.3 dB louder; the default (4.8 dB
      // louder) left a linear canceller at most 20 dB, so every figure above that was the suppressors' work.
      h[this.#pos] = (drive > 0 ? Math.tanh(drive * x) / drive : x) + asym * x * x;
      let y = 0;
      for (let k = 0; k < taps.length; k++) {
        const t = taps[k]!;
        let idx = this.#pos - t.lag;
        if (idx < 0) idx += size;
        y += t.gain * h[idx]!;
      }
      out[n] = y;
      this.#pos = this.#pos + 1 === size ? 0 : this.#pos + 1;
    }
    return out;
  }
}
