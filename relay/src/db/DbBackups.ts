import fs from 'node:fs';
import path from 'node:path';
import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';

const NAME = /^relay-(\d{8}T\d{9}Z)(-\d+)?\.db$/;

/**
 * Online backups of the relay database with SQLite's backup API
 * (better-sqlite3 `db.backup`): a consistent copy while the relay keeps
 * writing, to `<dir>/relay-<UTC time>.db`, keeping the newest `keep`.
 * A copy is written under a temporary name and renamed, so a crash or power
 * cut mid-backup never leaves a truncated file that looks like a backup.
 */
export class DbBackups {
  readonly #db: Database;
  readonly #dir: string;
  readonly #keep: number;
  readonly #log: Logger;
  #timer: ReturnType<typeof setInterval> | null = null;
  #running: Promise<string> | null = null;

  constructor(opts: { db: Database; dir: string; keep: number; logger: Logger }) {
    this.#db = opts.db;
    this.#dir = opts.dir;
    this.#keep = Math.max(1, opts.keep);
    this.#log = opts.logger.child({ component: 'backup' });
  }

  /** Takes a backup every `intervalMs` (the first one after one interval). */
  schedule(intervalMs: number): void {
    this.#timer = setInterval(() => {
      this.backupNow().catch((err: unknown) => this.#log.error({ err }, 'scheduled backup failed'));
    }, intervalMs);
    this.#timer.unref?.();
  }

  /** One backup now (joins one already running); resolves with its path. */
  backupNow(): Promise<string> {
    this.#running ??= this.#backup().finally(() => (this.#running = null));
    return this.#running;
  }

  async #backup(): Promise<string> {
    fs.mkdirSync(this.#dir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[-:.]/g, '');
    let file = path.join(this.#dir, `relay-${stamp}.db`);
    for (let n = 1; fs.existsSync(file); n++) file = path.join(this.#dir, `relay-${stamp}-${n}.db`);
    const partial = `${file}.partial`;
    const t0 = Date.now();
    await this.#db.backup(partial);
    fs.renameSync(partial, file);
    this.#log.info({ file, ms: Date.now() - t0, bytes: fs.statSync(file).size }, 'database backed up');
    this.#prune();
    return file;
  }

  /** Backups on disk, oldest first (by time written; the name breaks ties). */
  list(): string[] {
    if (!fs.existsSync(this.#dir)) return [];
    return fs
      .readdirSync(this.#dir)
      .filter((f) => NAME.test(f))
      .map((f) => ({ f: path.join(this.#dir, f), t: fs.statSync(path.join(this.#dir, f)).mtimeMs }))
      .sort((a, b) => a.t - b.t || a.f.localeCompare(b.f))
      .map((x) => x.f);
  }

  #prune(): void {
    const all = this.list();
    for (const old of all.slice(0, Math.max(0, all.length - this.#keep))) fs.rmSync(old, { force: true });
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}
