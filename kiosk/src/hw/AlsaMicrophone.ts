import type { Logger } from 'pino';
import type { BackoffOptions } from '@helppoint/shared';
import { FrameSlicer } from './FrameSlicer.ts';
import { MIC_FRAME_SAMPLES, MIC_SAMPLE_RATE } from './Microphone.ts';
import type { Microphone } from './Microphone.ts';
import { LevelMeter, type AudioLevel, type LevelMeterOptions } from './LevelMeter.ts';
import { SupervisedProcess } from './SupervisedProcess.ts';

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
  #process: SupervisedProcess | null = null;
  #slicer = new FrameSlicer({ frameBytes: FRAME_BYTES });
  #delivered = 0;
  readonly #meter: LevelMeter;

  constructor(opts: AlsaMicrophoneOptions = {}) {
    this.#opts = opts;
    this.#logger = opts.logger?.child({ component: 'microphone' });
    this.#meter = new LevelMeter(opts.meter);
  }

  get framesDelivered(): number {
    return this.#delivered;
  }

  get level(): AudioLevel {
    return this.#meter.level;
  }

  get pid(): number | null {
    return this.#process?.pid ?? null;
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
    if (this.#process) throw new Error('microphone already started');
    const proc = new SupervisedProcess({
      command: this.#opts.ffmpegPath ?? 'ffmpeg',
      args: this.args,
      name: 'microphone',
      logger: this.#logger,
      backoff: this.#opts.backoff,
      killTimeoutMs: this.#opts.killTimeoutMs,
    });
    proc.on('spawn', () => this.#slicer.reset());
    proc.on('stdout', (chunk) =>
      this.#slicer.push(chunk, (bytes) => {
        // The slicer hands out fresh, 0-aligned buffers; s16le matches the
        // byte order of every Pi and PC we run on, so this is a view, not a copy.
        const samples = new Int16Array(bytes.buffer, bytes.byteOffset, MIC_FRAME_SAMPLES);
        this.#delivered += 1;
        // Measured before the consumer sees it: onPcm may keep or change the frame.
        this.#meter.record(samples);
        try {
          onPcm(samples);
        } catch (err) {
          this.#logger?.error({ err }, 'PCM consumer threw');
        }
      }),
    );
    this.#process = proc;
    try {
      await proc.start();
    } catch (err) {
      this.#process = null;
      throw err;
    }
  }

  async stop(): Promise<void> {
    const proc = this.#process;
    this.#process = null;
    if (!proc) return;
    await proc.stop();
    proc.removeAllListeners();
    this.#slicer.reset();
  }
}
