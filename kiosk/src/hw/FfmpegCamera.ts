import type { Logger } from 'pino';
import { stampClockStrip, type BackoffOptions } from '@helppoint/shared';
import { i420FrameBytes } from './Camera.ts';
import type { Camera, VideoFrame } from './Camera.ts';
import { escapeFilterValue } from './ffmpegFilter.ts';
import { findFont } from './findFont.ts';
import { FfmpegFramePipe } from './FfmpegFramePipe.ts';

export interface FfmpegCameraOptions {
  /** Everything up to and including `-i <input>`. */
  inputArgs: string[];
  width: number;
  height: number;
  fps: number;
  ffmpegPath?: string;
  logger?: Logger;
  backoff?: BackoffOptions;
  killTimeoutMs?: number;
  /** Draw the capture time as a machine-readable strip on each frame (shared/src/media/clockStrip.ts). */
  clockStrip?: boolean;
  /** See FrameSlicer: >0 reuses frame buffers (consumer must copy synchronously). */
  poolSize?: number;
}

export interface TestPatternOptions {
  width: number;
  height: number;
  fps: number;
  /** Drawn large on the picture, so the officer can tell which terminal a demo feed is from. */
  label: string;
  /** Font for the label and clock; found among common Debian paths when omitted. */
  fontFile?: string | null;
  /**
   * The capture time as a machine-readable strip across the top (default on):
   * benchmarks read it back from the console's decoded frames for glass-to-glass delay.
   */
  clockStrip?: boolean;
  ffmpegPath?: string;
  logger?: Logger;
  backoff?: BackoffOptions;
  killTimeoutMs?: number;
  poolSize?: number;
}

export interface V4l2Options {
  device?: string;
  width: number;
  height: number;
  fps: number;
  /** e.g. 'mjpeg': many USB cameras only reach 640x480@30 compressed. */
  inputFormat?: string;
  ffmpegPath?: string;
  logger?: Logger;
  backoff?: BackoffOptions;
  killTimeoutMs?: number;
  poolSize?: number;
}

/** Captures I420 frames from any ffmpeg input through a pipe. */
export class FfmpegCamera implements Camera {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly frameBytes: number;
  #opts: FfmpegCameraOptions;
  #logger: Logger | undefined;
  readonly #pipe: FfmpegFramePipe;
  #framesDelivered = 0;
  #lastFrameAtMs: number | null = null;

  /** A moving test picture with the label and the wall clock, paced in real time. */
  static testPattern(opts: TestPatternOptions): FfmpegCamera {
    const { width, height, fps } = opts;
    const font = opts.fontFile === undefined ? findFont() : opts.fontFile;
    let graph = `testsrc2=size=${width}x${height}:rate=${fps}`;
    if (font) {
      const fontFile = escapeFilterValue(font);
      // Large, but shrunk so a long label still fits across the picture
      // (bold sans glyphs average about 0.7 em wide).
      const fitWidth = Math.floor((width * 0.92) / (0.7 * Math.max(1, opts.label.length)));
      const big = Math.max(8, Math.min(Math.round(height / 8), fitWidth));
      const clock = Math.max(8, Math.round(height / 12));
      const box = ':fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=6:x=(w-text_w)/2';
      // expansion=none: a label is shown literally, even with % in it.
      graph += `,drawtext=fontfile=${fontFile}:expansion=none:text=${escapeFilterValue(opts.label)}:fontsize=${big}${box}:y=h/10`;
      graph += `,drawtext=fontfile=${fontFile}:text=${escapeFilterValue('%{localtime}')}:fontsize=${clock}${box}:y=h-h/10-text_h`;
    } else {
      opts.logger?.warn('no font file found; test pattern without label and clock');
    }
    return new FfmpegCamera({
      // -re paces lavfi at the frame rate, like a real camera; without it
      // ffmpeg produces frames as fast as the CPU allows.
      inputArgs: ['-re', '-f', 'lavfi', '-i', graph],
      width,
      height,
      fps,
      ffmpegPath: opts.ffmpegPath,
      logger: opts.logger,
      backoff: opts.backoff,
      killTimeoutMs: opts.killTimeoutMs,
      poolSize: opts.poolSize,
      clockStrip: opts.clockStrip ?? true,
    });
  }

  /** A USB camera, or the Pi camera where a V4L2 node is exposed for it. */
  static v4l2(opts: V4l2Options): FfmpegCamera {
    const { width, height, fps } = opts;
    return new FfmpegCamera({
      inputArgs: [
        '-f', 'v4l2',
        '-framerate', String(fps),
        '-video_size', `${width}x${height}`,
        ...(opts.inputFormat ? ['-input_format', opts.inputFormat] : []),
        '-i', opts.device ?? '/dev/video0',
      ],
      width,
      height,
      fps,
      ffmpegPath: opts.ffmpegPath,
      logger: opts.logger,
      backoff: opts.backoff,
      killTimeoutMs: opts.killTimeoutMs,
      poolSize: opts.poolSize,
    });
  }

  constructor(opts: FfmpegCameraOptions) {
    this.width = opts.width;
    this.height = opts.height;
    this.fps = opts.fps;
    this.frameBytes = i420FrameBytes(opts.width, opts.height);
    this.#opts = opts;
    this.#logger = opts.logger?.child({ component: 'camera' });
    this.#pipe = new FfmpegFramePipe({
      name: 'camera',
      frameBytes: this.frameBytes,
      poolSize: opts.poolSize,
      ffmpegPath: opts.ffmpegPath,
      logger: this.#logger,
      backoff: opts.backoff,
      killTimeoutMs: opts.killTimeoutMs,
    });
  }

  get framesDelivered(): number {
    return this.#framesDelivered;
  }

  /** performance.now() of the last frame; the status page turns this into "camera ok". */
  get lastFrameAtMs(): number | null {
    return this.#lastFrameAtMs;
  }

  get pid(): number | null {
    return this.#pipe.pid;
  }

  /** 1 while the first ffmpeg runs; grows with every restart. */
  get spawnCount(): number {
    return this.#pipe.spawnCount;
  }

  /** The full ffmpeg command line, for logs and `doctor`. */
  get args(): string[] {
    const { width, height } = this;
    return [
      '-hide_banner', '-nostdin', '-loglevel', 'error',
      ...this.#opts.inputArgs,
      '-an',
      // -s scales whatever size the device negotiated, so every frame has
      // exactly the byte count the slicer expects.
      '-s', `${width}x${height}`,
      '-pix_fmt', 'yuv420p',
      '-f', 'rawvideo',
      'pipe:1',
    ];
  }

  async start(onFrame: (frame: VideoFrame) => void): Promise<void> {
    await this.#pipe.start(this.args, (data) => {
      this.#framesDelivered += 1;
      this.#lastFrameAtMs = performance.now();
      const frame = { data, width: this.width, height: this.height };
      if (this.#opts.clockStrip) stampClockStrip(frame, Date.now());
      onFrame(frame);
    });
  }

  stop(): Promise<void> {
    return this.#pipe.stop();
  }
}
