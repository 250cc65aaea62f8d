import { DBFS_FLOOR, meanSquareToDbfs, sumOfSquares } from './audioLevel.ts';

/** A level meter's reading; the same shape for what a speaker plays and what a microphone hears. */
export interface AudioLevel {
  /** Frames measured: written to the speaker, or captured by the microphone. */
  framesWritten: number;
  /** RMS of the last frame, dBFS (DBFS_FLOOR for silence or nothing yet). */
  lastRmsDbfs: number;
  /** Loudest single frame since start. */
  peakRmsDbfs: number;
  /** RMS over roughly the last window (500 ms); falls to the floor when audio stops. */
  recentRmsDbfs: number;
  /** Wall-clock ms of the last frame, or null. */
  lastWriteAtMs: number | null;
}

export interface LevelMeterOptions {
  /** Window of recentRmsDbfs. */
  windowMs?: number;
  now?: () => number;
}

interface Block {
  atMs: number;
  sumSq: number;
  count: number;
}

/**
 * Measures what passes through a speaker or comes from a microphone, so a
 * technician's self-test, the status page and the health report can tell
 * "the officer's audio arrives" or "the resident can be heard" apart from a
 * dead device without anyone listening.
 */
export class LevelMeter {
  readonly windowMs: number;
  #now: () => number;
  #blocks: Block[] = [];
  #frames = 0;
  #last = DBFS_FLOOR;
  #peak = DBFS_FLOOR;
  #lastAt: number | null = null;

  constructor(opts: LevelMeterOptions = {}) {
    this.windowMs = opts.windowMs ?? 500;
    this.#now = opts.now ?? (() => Date.now());
  }

  record(samples: Int16Array): void {
    const atMs = this.#now();
    const sumSq = sumOfSquares(samples);
    this.#frames += 1;
    this.#last = samples.length === 0 ? DBFS_FLOOR : meanSquareToDbfs(sumSq / samples.length);
    this.#peak = Math.max(this.#peak, this.#last);
    this.#lastAt = atMs;
    this.#blocks.push({ atMs, sumSq, count: samples.length });
    this.#prune(atMs);
  }

  get level(): AudioLevel {
    const now = this.#now();
    this.#prune(now);
    let sumSq = 0;
    let count = 0;
    for (const b of this.#blocks) {
      sumSq += b.sumSq;
      count += b.count;
    }
    return {
      framesWritten: this.#frames,
      lastRmsDbfs: this.#last,
      peakRmsDbfs: this.#peak,
      recentRmsDbfs: count === 0 ? DBFS_FLOOR : meanSquareToDbfs(sumSq / count),
      lastWriteAtMs: this.#lastAt,
    };
  }

  #prune(now: number): void {
    const cutoff = now - this.windowMs;
    let drop = 0;
    while (drop < this.#blocks.length && (this.#blocks[drop] as Block).atMs <= cutoff) drop++;
    if (drop > 0) this.#blocks.splice(0, drop);
  }
}
