import type { Logger } from 'pino';
import type { BackoffOptions } from '@helppoint/shared';
import { FrameSlicer } from './FrameSlicer.ts';
import { SupervisedProcess } from './SupervisedProcess.ts';

export interface FfmpegFramePipeOptions {
  /** 'camera' or 'microphone': names the process in logs. */
  name: string;
  frameBytes: number;
  poolSize?: number | undefined;
  ffmpegPath?: string | undefined;
  logger?: Logger | undefined;
  backoff?: BackoffOptions | undefined;
  killTimeoutMs?: number | undefined;
}

/**
 * An ffmpeg process under supervision (restarted with backoff when it dies)
 * whose stdout is cut into fixed-size frames: the plumbing the camera
 * (I420 pictures) and the microphone (10 ms PCM) share.
 */
export class FfmpegFramePipe {
  readonly #opts: FfmpegFramePipeOptions;
  readonly #slicer: FrameSlicer;
  #process: SupervisedProcess | null = null;

  constructor(opts: FfmpegFramePipeOptions) {
    this.#opts = opts;
    this.#slicer = new FrameSlicer({ frameBytes: opts.frameBytes, poolSize: opts.poolSize });
  }

  get pid(): number | null {
    return this.#process?.pid ?? null;
  }

  get spawnCount(): number {
    return this.#process?.spawnCount ?? 0;
  }

  async start(args: string[], onFrame: (bytes: Uint8Array) => void): Promise<void> {
    if (this.#process) throw new Error(`${this.#opts.name} already started`);
    const proc = new SupervisedProcess({
      command: this.#opts.ffmpegPath ?? 'ffmpeg',
      args,
      name: this.#opts.name,
      logger: this.#opts.logger,
      backoff: this.#opts.backoff,
      killTimeoutMs: this.#opts.killTimeoutMs,
    });
    // A new ffmpeg starts at a frame boundary; the old one's tail is garbage.
    proc.on('spawn', () => this.#slicer.reset());
    proc.on('stdout', (chunk) =>
      this.#slicer.push(chunk, (bytes) => {
        try {
          onFrame(bytes);
        } catch (err) {
          this.#opts.logger?.error({ err }, `${this.#opts.name} frame consumer threw`);
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
