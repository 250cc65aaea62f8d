import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { CallMediaRepo } from '../db/CallMediaRepo.ts';

const DAY_MS = 86_400_000;
const SWEEP_EVERY_MS = 60 * 60_000;

/**
 * Deletes recordings and snapshots older than the station's retention period,
 * at start-up and hourly. The rows stay (marked deleted) so a call's history
 * still says evidence existed and when it was removed.
 */
export class EvidenceRetention {
  readonly #media: CallMediaRepo;
  readonly #dir: string;
  readonly #days: number;
  readonly #log: Logger;
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(opts: { media: CallMediaRepo; mediaDir: string; retentionDays: number; logger: Logger }) {
    this.#media = opts.media;
    this.#dir = opts.mediaDir;
    this.#days = opts.retentionDays;
    this.#log = opts.logger.child({ component: 'retention' });
    this.#timer = setInterval(() => this.sweep(), SWEEP_EVERY_MS);
    this.#timer.unref?.();
  }

  /** Returns how many files were removed. */
  sweep(now = Date.now()): number {
    if (this.#days <= 0) return 0; // 0 = keep forever
    let removed = 0;
    for (const m of this.#media.expired(now - this.#days * DAY_MS)) {
      try {
        fs.rmSync(path.join(this.#dir, m.file), { force: true });
        this.#media.markDeleted(m.id, now);
        removed++;
      } catch (error) {
        this.#log.error({ err: error, file: m.file }, 'could not delete expired evidence');
      }
    }
    if (removed) this.#log.info({ removed, days: this.#days }, 'expired evidence deleted');
    return removed;
  }

  close(): void {
    clearInterval(this.#timer);
  }
}
