import { LevelMeter } from './LevelMeter.ts';
import type { LevelMeterOptions } from './LevelMeter.ts';
import type { Speaker, SpeakerLevel } from './Speaker.ts';

export type MeasuringSpeakerOptions = LevelMeterOptions;

/** The speaker twin: plays nothing, measures everything written to it. */
export class MeasuringSpeaker implements Speaker {
  #meter: LevelMeter;
  #closed = false;
  #format: { sampleRate: number; channels: number } | null = null;

  constructor(opts: MeasuringSpeakerOptions = {}) {
    this.#meter = new LevelMeter(opts);
  }

  get level(): SpeakerLevel {
    return this.#meter.level;
  }

  /** The format of the last write, so tests can check what the call sent. */
  get format(): { sampleRate: number; channels: number } | null {
    return this.#format;
  }

  write(samples: Int16Array, sampleRate: number, channels: number): void {
    if (this.#closed) return;
    this.#format = { sampleRate, channels };
    this.#meter.record(samples);
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
