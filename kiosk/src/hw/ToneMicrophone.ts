import type { Logger } from 'pino';
import { MIC_FRAME_MS, MIC_FRAME_SAMPLES, MIC_SAMPLE_RATE } from './Microphone.ts';
import type { Microphone } from './Microphone.ts';
import { LevelMeter, type AudioLevel, type LevelMeterOptions } from './LevelMeter.ts';

export interface IntervalTimers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface ToneMicrophoneOptions {
  frequencyHz?: number;
  /** Peak as a fraction of full scale (0..1). */
  amplitude?: number;
  /**
   * Most frames emitted in one tick when the event loop was blocked; the rest
   * of the backlog is skipped, because a burst of stale audio only adds delay.
   */
  maxBurstFrames?: number;
  now?: () => number;
  timers?: IntervalTimers;
  logger?: Logger;
  /** The level meter's window and clock. */
  meter?: LevelMeterOptions;
}

const defaultTimers: IntervalTimers = {
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
};

/**
 * The microphone twin: a continuous sine tone at real-time pace. Node timers
 * fire late and unevenly, so each tick emits as many frames as the elapsed
 * time calls for instead of one per tick; otherwise the stream would run slow
 * and the far end's jitter buffer would keep underrunning.
 */
export class ToneMicrophone implements Microphone {
  readonly sampleRate = MIC_SAMPLE_RATE;
  readonly channels = 1 as const;
  readonly frequencyHz: number;
  readonly amplitude: number;
  #maxBurst: number;
  #now: () => number;
  #timers: IntervalTimers;
  #logger: Logger | undefined;
  #timer: unknown = null;
  #onPcm: ((samples: Int16Array) => void) | null = null;
  #startedAtMs = 0;
  #frameIndex = 0;
  #phase = 0;
  #delivered = 0;
  #skipped = 0;
  readonly #meter: LevelMeter;

  constructor(opts: ToneMicrophoneOptions = {}) {
    this.frequencyHz = opts.frequencyHz ?? 440;
    this.amplitude = Math.min(1, Math.max(0, opts.amplitude ?? 0.25));
    this.#maxBurst = Math.max(1, opts.maxBurstFrames ?? 5);
    this.#now = opts.now ?? (() => performance.now());
    this.#timers = opts.timers ?? defaultTimers;
    this.#logger = opts.logger?.child({ component: 'microphone' });
    this.#meter = new LevelMeter(opts.meter);
  }

  get framesDelivered(): number {
    return this.#delivered;
  }

  get level(): AudioLevel {
    return this.#meter.level;
  }

  /** Frames dropped because the event loop fell too far behind. */
  get framesSkipped(): number {
    return this.#skipped;
  }

  async start(onPcm: (samples: Int16Array) => void): Promise<void> {
    if (this.#timer !== null) throw new Error('microphone already started');
    this.#onPcm = onPcm;
    this.#startedAtMs = this.#now();
    this.#frameIndex = 0;
    this.#timer = this.#timers.setInterval(() => this.#tick(), MIC_FRAME_MS);
  }

  async stop(): Promise<void> {
    if (this.#timer !== null) this.#timers.clearInterval(this.#timer);
    this.#timer = null;
    this.#onPcm = null;
  }

  #tick(): void {
    const dueIndex = Math.floor((this.#now() - this.#startedAtMs) / MIC_FRAME_MS);
    let due = dueIndex - this.#frameIndex;
    if (due > this.#maxBurst) {
      const skip = due - this.#maxBurst;
      this.#skipped += skip;
      this.#frameIndex += skip;
      due = this.#maxBurst;
      this.#logger?.debug({ skip }, 'event loop stalled; skipping tone frames');
    }
    for (let i = 0; i < due && this.#onPcm; i++) {
      this.#frameIndex += 1;
      const frame = this.#nextFrame();
      this.#delivered += 1;
      this.#meter.record(frame);
      try {
        this.#onPcm(frame);
      } catch (err) {
        this.#logger?.error({ err }, 'PCM consumer threw');
      }
    }
  }

  #nextFrame(): Int16Array {
    const frame = new Int16Array(MIC_FRAME_SAMPLES);
    const step = (2 * Math.PI * this.frequencyHz) / MIC_SAMPLE_RATE;
    const peak = this.amplitude * 32767;
    // A running phase (kept within 2π) stays precise for hours; sin(step * n)
    // with a huge n would not.
    for (let i = 0; i < frame.length; i++) {
      frame[i] = Math.round(peak * Math.sin(this.#phase));
      this.#phase += step;
      if (this.#phase >= 2 * Math.PI) this.#phase -= 2 * Math.PI;
    }
    return frame;
  }
}
