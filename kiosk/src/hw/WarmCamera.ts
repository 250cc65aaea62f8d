import type { Logger } from 'pino';
import type { Camera, VideoFrame } from './Camera.ts';

/**
 * Keeps a camera capturing while the terminal is idle, so a press does not
 * wait for the camera to start. Idle frames are dropped here (or kept seconds
 * long in memory by the tap) and never leave the process unless someone
 * presses. On by default for a real camera, off for the simulated one
 * (config.ts cameraKeptWarm, HELPPOINT_CAMERA_WARM): warm, the first frame
 * comes ~60 ms after the press instead of ~1 s (scripts/bench-call-setup;
 * libcamera opens slower than ffmpeg's test pattern), and only a warm camera
 * has the seconds before the press; the simulated camera draws its picture
 * in software, so idle it costs several times the CPU
 * (scripts/bench-kiosk-footprint), which a real camera's ISP does not.
 * start()/stop() only attach and detach the call's frame listener; close()
 * stops the camera. tap() lets the pre-press buffer keep the last seconds in
 * memory (media/PrePressBuffer.ts).
 */
export class WarmCamera implements Camera {
  readonly #camera: Camera;
  readonly #log: Logger;
  #listener: ((frame: VideoFrame) => void) | null = null;
  #tap: ((frame: VideoFrame) => void) | null = null;
  #running: Promise<void> | null = null;
  #closed = false;

  constructor(opts: { camera: Camera; logger: Logger }) {
    this.#camera = opts.camera;
    this.#log = opts.logger.child({ component: 'camera' });
  }

  get width(): number {
    return this.#camera.width;
  }
  get height(): number {
    return this.#camera.height;
  }
  get fps(): number {
    return this.#camera.fps;
  }
  get framesDelivered(): number {
    return this.#camera.framesDelivered;
  }

  /**
   * Sees every frame, idle or in a call (the pre-press buffer, issue 15). The
   * frame's buffer is reused by the camera: a tap that keeps it copies it.
   */
  tap(fn: ((frame: VideoFrame) => void) | null): void {
    this.#tap = fn;
  }

  /** Starts capturing now (at service start). A failure is logged; the next call start tries again. */
  warmUp(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#running ??= this.#camera.start((frame) => {
      this.#listener?.(frame);
      this.#tap?.(frame);
    }).then(
      () => this.#log.info('camera kept warm while idle'),
      (error: unknown) => {
        this.#running = null;
        throw error;
      },
    );
    return this.#running;
  }

  async start(onFrame: (frame: VideoFrame) => void): Promise<void> {
    if (this.#closed) throw new Error('camera closed');
    this.#listener = onFrame;
    await this.warmUp();
  }

  async stop(): Promise<void> {
    this.#listener = null;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#listener = null;
    const running = this.#running;
    this.#running = null;
    if (running) await running.catch(() => undefined);
    await this.#camera.stop();
  }
}
