import type { VideoFrame } from '../hw/Camera.ts';

/** One kept picture: a private copy (the camera's frame slicer reuses its buffers). */
export interface ClipFrame {
  at: number;
  data: Uint8Array;
}

/** What the buffer hands over once the seconds after the press are in: the pictures of T-before..T+after and the voice after T. */
export interface PrePressClip {
  pressedAt: number;
  /** How much of the clip is from before the press (ms, from the first kept frame): 0 when the camera had just started. */
  beforeMs: number;
  width: number;
  height: number;
  fps: number;
  frames: ClipFrame[];
  /** 48 kHz mono PCM from the press on (the microphone does not run while idle). */
  pcm: Int16Array[];
}

export interface PrePressBufferOptions {
  /** Seconds kept before the press, and taken after it (default 3). */
  seconds?: number;
  /** Pictures per second kept (default 5): evidence, not the live picture. */
  fps?: number;
  now?: () => number;
}

type Phase = { name: 'idle' } | { name: 'collecting'; pressedAt: number; pcm: Int16Array[]; pcmSamples: number; done: (clip: PrePressClip | null) => void } | { name: 'stopped' };

/**
 * The last few seconds the warm camera saw, in memory only (issue 15), so the
 * evidence of a call starts before the press ("help, I fell"). While idle it
 * keeps a ring of ~seconds × fps copied frames, older ones overwritten in
 * place (no garbage per frame, a fixed memory bound); nothing is written
 * anywhere. press() freezes the ring and keeps collecting frames and the
 * microphone's PCM until `seconds` after the press, then resolves the clip.
 * cancel() (no call came of the press) and stop() drop everything.
 */
export class PrePressBuffer {
  readonly seconds: number;
  readonly fps: number;
  readonly #now: () => number;
  readonly #intervalMs: number;
  /** Ring of kept frames while idle, oldest first once full. */
  #ring: ClipFrame[] = [];
  #ringStart = 0;
  /** Frames since the press (the ring is frozen then). */
  #after: ClipFrame[] = [];
  #lastSlot = -1;
  #size: { width: number; height: number } | null = null;
  #phase: Phase = { name: 'idle' };

  constructor(opts: PrePressBufferOptions = {}) {
    this.seconds = opts.seconds ?? 3;
    this.fps = opts.fps ?? 5;
    if (!(this.seconds > 0 && this.seconds <= 10)) throw new Error(`pre-press seconds must be in (0, 10], got ${this.seconds}`);
    if (!(this.fps > 0 && this.fps <= 30)) throw new Error(`pre-press fps must be in (0, 30], got ${this.fps}`);
    this.#now = opts.now ?? Date.now;
    this.#intervalMs = 1000 / this.fps;
  }

  /** Most frames kept at once, before and after the press: the memory bound (× one I420 frame). */
  get capacity(): number {
    return 2 * this.#ringCapacity;
  }

  get #ringCapacity(): number {
    return Math.ceil(this.seconds * this.fps);
  }

  /** Bytes held now (frames and PCM). */
  get bytes(): number {
    let n = 0;
    for (const f of this.#ring) n += f.data.byteLength;
    for (const f of this.#after) n += f.data.byteLength;
    if (this.#phase.name === 'collecting') n += this.#phase.pcmSamples * 2;
    return n;
  }

  get collecting(): boolean {
    return this.#phase.name === 'collecting';
  }

  /** Every camera frame, idle or in a call (WarmCamera's tap): one per 1/fps slot is copied. */
  pushFrame(frame: VideoFrame): void {
    const phase = this.#phase;
    if (phase.name === 'stopped') return;
    const at = this.#now();
    const slot = Math.floor(at / this.#intervalMs);
    if (slot === this.#lastSlot) return;
    if (this.#size && (this.#size.width !== frame.width || this.#size.height !== frame.height)) {
      // The camera changed size (restarted differently): what was kept cannot share a clip with it.
      if (phase.name === 'collecting') return;
      this.#dropRing();
    }
    this.#size = { width: frame.width, height: frame.height };
    this.#lastSlot = slot;
    if (phase.name === 'collecting') {
      this.#after.push({ at, data: frame.data.slice() });
      this.#maybeFinish(at);
      return;
    }
    this.#remember(at, frame.data);
    // Keep only what is within `seconds` of now (a camera that stalled leaves no old pictures to pass as recent).
    while (this.#ring.length && this.#ring[this.#ringStart]!.at < at - this.seconds * 1000) this.#dropOldest();
  }

  /** The microphone's 10 ms frames during the call (the call's pumps); ignored unless a press is being collected. */
  pushPcm(samples: Int16Array): void {
    const phase = this.#phase;
    if (phase.name !== 'collecting') return;
    const want = this.seconds * 48_000 - phase.pcmSamples;
    if (want <= 0) return;
    const part = samples.length > want ? samples.slice(0, want) : samples.slice();
    phase.pcm.push(part);
    phase.pcmSamples += part.length;
  }

  /**
   * The button was pressed: the ring is frozen as the clip's start and the
   * next `seconds` are collected. Resolves with the clip (null when there is
   * nothing to show, or on cancel/stop). A second press while collecting gets
   * null: the first press's clip covers it.
   */
  press(): Promise<PrePressClip | null> {
    if (this.#phase.name === 'stopped') return Promise.resolve(null);
    if (this.#phase.name === 'collecting') return Promise.resolve(null);
    return new Promise((resolve) => {
      this.#phase = { name: 'collecting', pressedAt: this.#now(), pcm: [], pcmSamples: 0, done: resolve };
      this.#ring = this.#ordered();
      this.#ringStart = 0;
    });
  }

  /** Stops collecting now with what came so far (the call ended early): the clip is shorter but kept. */
  finishNow(): void {
    this.#finish();
  }

  /** No call came of the press (or it was cancelled before a call existed): everything is dropped, back to idle. */
  cancel(): void {
    const phase = this.#phase;
    this.#clear();
    if (phase.name === 'collecting') {
      this.#phase = { name: 'idle' };
      phase.done(null);
    }
  }

  /** The service stops: nothing is kept, and later frames are ignored. */
  stop(): void {
    this.cancel();
    this.#phase = { name: 'stopped' };
  }

  #maybeFinish(at: number): void {
    const phase = this.#phase;
    if (phase.name === 'collecting' && at - phase.pressedAt >= this.seconds * 1000) this.#finish();
  }

  #finish(): void {
    const phase = this.#phase;
    if (phase.name !== 'collecting') return;
    const frames = [...this.#ring, ...this.#after];
    const size = this.#size;
    const first = frames[0];
    const clip: PrePressClip | null =
      size && first
        ? { pressedAt: phase.pressedAt, beforeMs: Math.max(0, phase.pressedAt - first.at), width: size.width, height: size.height, fps: this.fps, frames, pcm: phase.pcm }
        : null;
    // Handed over, not kept: the next idle period starts an empty ring.
    this.#ring = [];
    this.#after = [];
    this.#ringStart = 0;
    this.#lastSlot = -1;
    this.#phase = { name: 'idle' };
    phase.done(clip);
  }

  /** Copies a frame into the ring, reusing the evicted frame's buffer once the ring is full. */
  #remember(at: number, data: Uint8Array): void {
    const cap = this.#ringCapacity;
    if (this.#ring.length < cap) {
      this.#ring.push({ at, data: data.slice() });
      return;
    }
    const oldest = this.#ring[this.#ringStart]!;
    if (oldest.data.byteLength === data.byteLength) oldest.data.set(data);
    else oldest.data = data.slice();
    oldest.at = at;
    this.#ringStart = (this.#ringStart + 1) % cap;
  }

  #ordered(): ClipFrame[] {
    return [...this.#ring.slice(this.#ringStart), ...this.#ring.slice(0, this.#ringStart)];
  }

  #dropOldest(): void {
    this.#ring = this.#ordered().slice(1);
    this.#ringStart = 0;
  }

  #dropRing(): void {
    this.#ring = [];
    this.#ringStart = 0;
  }

  #clear(): void {
    this.#dropRing();
    this.#after = [];
    this.#lastSlot = -1;
  }
}
