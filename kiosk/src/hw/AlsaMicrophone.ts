import type { Logger } from 'pino';
import type { BackoffOptions } from '@helppoint/shared';
import { MIC_FRAME_SAMPLES, MIC_SAMPLE_RATE } from './Microphone.ts';
import type { Microphone } from './Microphone.ts';
import { LevelMeter, type AudioLevel, type LevelMeterOptions } from './LevelMeter.ts';
import { FfmpegFramePipe } from './FfmpegFramePipe.ts';

export interface AlsaMicrophoneOptions {
  /** ALSA capture device, e.g. 'default' or 'plughw:CARD=Device,DEV=0'. */
  device?: string;
  /** Replaces `-f alsa -i <device>` (tests feed a lavfi sine). */
  inputArgs?: string[];
  ffmpegPath?: string;
  logger?: Logger;
  backoff?: BackoffOptions;
  killTimeoutMs?: number;
  /** The level meter's window and clock. */
  meter?: LevelMeterOptions;
}

const FRAME_BYTES = MIC_FRAME_SAMPLES * 2;

/** Captures from ALSA through ffmpeg, resampled to 48 kHz mono s16, in 10 ms frames. */
export class AlsaMicrophone implements Microphone {
  readonly sampleRate = MIC_SAMPLE_RATE;
  readonly channels = 1 as const;
  #opts: AlsaMicrophoneOptions;
  #logger: Logger | undefined;
  readonly #pipe: FfmpegFramePipe;
  #delivered = 0;
  readonly #meter: LevelMeter;

  constructor(opts: AlsaMicrophoneOptions = {}) {
    this.#opts = opts;
    this.#logger = opts.logger?.child({ component: 'microphone' });
    this.#meter = new LevelMeter(opts.meter);
    this.#pipe = new FfmpegFramePipe({
      name: 'microphone',
      frameBytes: FRAME_BYTES,
      ffmpegPath: opts.ffmpegPath,
      logger: this.#logger,
      backoff: opts.backoff,
      killTimeoutMs: opts.killTimeoutMs,
    });
  }

  get framesDelivered(): number {
    return this.#delivered;
  }

  get level(): AudioLevel {
    return this.#meter.level;
  }

  get pid(): number | null {
    return this.#pipe.pid;
  }

  get args(): string[] {
    return [
      '-hide_banner', '-nostdin', '-loglevel', 'error',
      ...(this.#opts.inputArgs ?? ['-f', 'alsa', '-i', this.#opts.device ?? 'default']),
      '-vn', '-ac', '1', '-ar', String(MIC_SAMPLE_RATE),
      // Flush each packet so audio leaves ffmpeg as soon as it is captured.
      '-flush_packets', '1',
      '-f', 's16le', 'pipe:1',
    ];
  }

  async start(onPcm: (samples: Int16Array) => void): Promise<void> {
    await this.#pipe.start(this.args, (bytes) => {
      // The slicer hands out fresh, 0-aligned buffers; s16le matches the
      // byte order of every Pi and PC we run on, so this is a view, not a copy.
      const samples = new Int16Array(bytes.buffer, bytes.byteOffset, MIC_FRAME_SAMPLES);
      this.#delivered += 1;
      // Measured before the consumer sees it: onPcm may keep or change the frame.
      this.#meter.record(samples);
      onPcm(samples);
    });
  }

  stop(): Promise<void> {
    return this.#pipe.stop();
  }
}
