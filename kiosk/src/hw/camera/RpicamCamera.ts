import type { Logger } from 'pino';
import type { BackoffOptions } from '@helppoint/shared';
import { i420FrameBytes } from '../Camera.ts';
import type { Camera, VideoFrame } from '../Camera.ts';
import { FfmpegFramePipe } from '../FfmpegFramePipe.ts';

export interface RpicamCameraOptions {
  width: number;
  height: number;
  fps: number;
  /** libcamera's camera index (`rpicam-vid --list-cameras`); 0 is the first CSI port. */
  camera?: number;
  /** rpicam-vid (Bookworm); older images call it libcamera-vid. Looked up on PATH. */
  command?: string;
  logger?: Logger;
  backoff?: BackoffOptions;
  killTimeoutMs?: number;
  poolSize?: number;
}

/**
 * rpicam-vid writes each YUV420 buffer as the ISP laid it out, rows padded to
 * the buffer stride; at widths that are a multiple of 64 there is no padding
 * on the Pi 4 or Pi 5 pipelines, so the bytes are plain I420.
 */
export const RPICAM_WIDTH_ALIGN = 64;

/** The argv a real rpicam-vid needs to stream I420 to stdout until stopped (rpicam-apps' own option names). */
export function rpicamVidArgs(o: { width: number; height: number; fps: number; camera?: number | undefined }): string[] {
  return [
    '--camera', String(o.camera ?? 0),
    '--timeout', '0', // run until killed
    '--nopreview', // Lite has no display; never try to open a preview window
    '--codec', 'yuv420', // raw frames, no encoder
    '--width', String(o.width),
    '--height', String(o.height),
    '--framerate', String(o.fps),
    '--flush', // write each frame to the pipe at once, not when stdio's buffer fills
    // --verbose has an implicit value: Boost 1.59-1.64 took a separate "0" for a positional
    // argument (which rpicam-vid refuses); "=0" parses the same on every Boost.
    '--verbose=0', // quiet on stderr; errors still print
    '--output', '-',
  ];
}

/**
 * A CSI camera module through libcamera (rpicam-vid): on a libcamera Pi the
 * /dev/video0 node is the sensor's raw Bayer stream and ffmpeg cannot use it.
 * rpicam-vid's stdout goes into the same frame slicer as ffmpeg's, supervised
 * and restarted the same way.
 */
export class RpicamCamera implements Camera {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly frameBytes: number;
  readonly #opts: RpicamCameraOptions;
  readonly #pipe: FfmpegFramePipe;
  #framesDelivered = 0;
  #lastFrameAtMs: number | null = null;

  constructor(opts: RpicamCameraOptions) {
    if (opts.width % RPICAM_WIDTH_ALIGN !== 0 || opts.height % 2 !== 0) {
      throw new Error(`a CSI camera needs a width that is a multiple of ${RPICAM_WIDTH_ALIGN} and an even height (rpicam-vid pads rows otherwise), got ${opts.width}x${opts.height}`);
    }
    this.width = opts.width;
    this.height = opts.height;
    this.fps = opts.fps;
    this.frameBytes = i420FrameBytes(opts.width, opts.height);
    this.#opts = opts;
    const logger = opts.logger?.child({ component: 'camera', source: 'rpicam' });
    this.#pipe = new FfmpegFramePipe({
      name: 'camera',
      frameBytes: this.frameBytes,
      poolSize: opts.poolSize,
      ffmpegPath: opts.command ?? 'rpicam-vid',
      logger,
      backoff: opts.backoff,
      killTimeoutMs: opts.killTimeoutMs,
    });
  }

  get args(): string[] {
    return rpicamVidArgs(this.#opts);
  }

  get framesDelivered(): number {
    return this.#framesDelivered;
  }

  get lastFrameAtMs(): number | null {
    return this.#lastFrameAtMs;
  }

  get pid(): number | null {
    return this.#pipe.pid;
  }

  get spawnCount(): number {
    return this.#pipe.spawnCount;
  }

  async start(onFrame: (frame: VideoFrame) => void): Promise<void> {
    await this.#pipe.start(this.args, (data) => {
      this.#framesDelivered += 1;
      this.#lastFrameAtMs = performance.now();
      onFrame({ data, width: this.width, height: this.height });
    });
  }

  stop(): Promise<void> {
    return this.#pipe.stop();
  }
}
