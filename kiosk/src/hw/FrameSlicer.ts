export interface FrameSlicerOptions {
  frameBytes: number;
  /**
   * 0 (default): every frame is a fresh buffer the consumer may keep.
   * N > 0: frames come from a ring of N buffers, so a frame's bytes are only
   * valid until N more frames have been delivered. Saves allocating ~0.5 MB per
   * video frame when the consumer copies synchronously.
   */
  poolSize?: number;
}

/**
 * Cuts a byte stream (a pipe from ffmpeg) into fixed-size frames. Pipe reads
 * end wherever the kernel buffer did, so a frame may span many chunks and a
 * chunk may hold several frames plus a part of the next.
 */
export class FrameSlicer {
  readonly frameBytes: number;
  #pool: Uint8Array[] = [];
  #poolSize: number;
  #poolNext = 0;
  #current: Uint8Array | null = null;
  #filled = 0;

  constructor(opts: FrameSlicerOptions) {
    if (!Number.isInteger(opts.frameBytes) || opts.frameBytes <= 0) {
      throw new RangeError(`frameBytes must be a positive integer, got ${opts.frameBytes}`);
    }
    this.frameBytes = opts.frameBytes;
    this.#poolSize = Math.max(0, Math.floor(opts.poolSize ?? 0));
  }

  /** Bytes of the incomplete frame waiting for more input. */
  get pendingBytes(): number {
    return this.#filled;
  }

  push(chunk: Uint8Array, onFrame: (frame: Uint8Array) => void): void {
    let offset = 0;
    while (offset < chunk.length) {
      const frame = (this.#current ??= this.#acquire());
      const n = Math.min(this.frameBytes - this.#filled, chunk.length - offset);
      frame.set(chunk.subarray(offset, offset + n), this.#filled);
      this.#filled += n;
      offset += n;
      if (this.#filled === this.frameBytes) {
        this.#current = null;
        this.#filled = 0;
        onFrame(frame);
      }
    }
  }

  /** Drops a partial frame, e.g. when the producer restarted mid-frame. */
  reset(): void {
    this.#current = null;
    this.#filled = 0;
  }

  #acquire(): Uint8Array {
    if (this.#poolSize === 0) return new Uint8Array(this.frameBytes);
    const i = this.#poolNext;
    this.#poolNext = (i + 1) % this.#poolSize;
    return (this.#pool[i] ??= new Uint8Array(this.frameBytes));
  }
}
