import { i420FrameBytes, type Camera, type VideoFrame } from '../Camera.ts';

/** What the fake sensor shows: a moving picture, black, one picture forever, or nothing at all. */
export type FakeCameraMode = 'live' | 'black' | 'frozen' | 'dead';

/** A camera in memory for self-test tests: no ffmpeg, deterministic pictures. */
export class FakeCamera implements Camera {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  mode: FakeCameraMode;
  #timer: ReturnType<typeof setInterval> | null = null;
  #delivered = 0;
  #tick = 0;

  constructor(opts: { mode?: FakeCameraMode; width?: number; height?: number; fps?: number } = {}) {
    this.mode = opts.mode ?? 'live';
    this.width = opts.width ?? 160;
    this.height = opts.height ?? 120;
    this.fps = opts.fps ?? 15;
  }

  get framesDelivered(): number {
    return this.#delivered;
  }

  get running(): boolean {
    return this.#timer !== null;
  }

  async start(onFrame: (frame: VideoFrame) => void): Promise<void> {
    if (this.#timer) throw new Error('camera already started');
    this.#timer = setInterval(() => {
      if (this.mode === 'dead') return;
      this.#delivered++;
      onFrame(this.#frame());
    }, 1000 / this.fps);
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  #frame(): VideoFrame {
    const data = new Uint8Array(i420FrameBytes(this.width, this.height));
    const luma = this.width * this.height;
    if (this.mode === 'black') data.fill(16, 0, luma);
    else {
      // A gradient that slides one step per frame when live, and stands still when frozen.
      const shift = this.mode === 'live' ? this.#tick++ * 3 : 0;
      for (let i = 0; i < luma; i++) data[i] = 32 + ((i % this.width) + shift) % 192;
    }
    data.fill(128, luma);
    return { data, width: this.width, height: this.height };
  }
}
