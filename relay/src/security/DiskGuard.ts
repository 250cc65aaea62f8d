import fs from 'node:fs';
import type { Logger } from 'pino';
import { AppError, ErrorCode, TypedEmitter } from '@helppoint/shared';

/**
 * Watches free space on the media disk. Below `minFreeBytes` recording
 * stops (the calls themselves go on), new snapshots are refused with
 * disk_full, and an alert is logged and exported for Prometheus; above
 * 1.5× the threshold it resumes. A full disk must never crash the relay or
 * take SQLite (on the same disk, usually) down with it.
 */
export class DiskGuard extends TypedEmitter<{ changed: [low: boolean] }> {
  readonly #dir: string;
  readonly #minFree: number;
  readonly #log: Logger;
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #statfs: (dir: string) => { bavail: number; bsize: number; blocks: number };
  #low = false;
  #free = Number.POSITIVE_INFINITY;
  #size = 0;

  constructor(opts: { dir: string; minFreeBytes: number; logger: Logger; everyMs?: number; statfs?: (dir: string) => { bavail: number; bsize: number; blocks: number } }) {
    super();
    this.#dir = opts.dir;
    this.#minFree = opts.minFreeBytes;
    this.#log = opts.logger.child({ component: 'disk-guard' });
    this.#statfs = opts.statfs ?? ((d) => fs.statfsSync(d));
    this.onListenerError = (error, event) => this.#log.error({ err: error, event }, 'disk guard listener failed');
    this.check();
    this.#timer = setInterval(() => this.check(), opts.everyMs ?? 10_000);
    this.#timer.unref?.();
  }

  check(): boolean {
    try {
      fs.mkdirSync(this.#dir, { recursive: true });
      const s = this.#statfs(this.#dir);
      this.#free = s.bavail * s.bsize;
      this.#size = s.blocks * s.bsize;
    } catch (err) {
      this.#log.error({ err, dir: this.#dir }, 'cannot read free disk space');
      return this.#low;
    }
    const low = this.#low ? this.#free < this.#minFree * 1.5 : this.#free < this.#minFree;
    if (low !== this.#low) {
      this.#low = low;
      if (low) this.#log.error({ freeBytes: this.#free, minFreeBytes: this.#minFree, dir: this.#dir }, 'ALERT media disk nearly full: recording stopped, snapshots refused');
      else this.#log.warn({ freeBytes: this.#free }, 'media disk has room again: recording resumes');
      this.emit('changed', low);
    }
    return low;
  }

  get low(): boolean {
    return this.#low;
  }

  get freeBytes(): number {
    return this.#free;
  }

  get sizeBytes(): number {
    return this.#size;
  }

  /** Throws disk_full when new evidence must not be written. */
  assertRoom(): void {
    if (this.check()) throw new AppError(ErrorCode.DiskFull, 'the media disk is nearly full; evidence cannot be saved now');
  }

  close(): void {
    clearInterval(this.#timer);
  }
}
