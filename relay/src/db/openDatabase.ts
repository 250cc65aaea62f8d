import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { MIGRATIONS } from './migrations/index.ts';
import type { Migration } from './migrations/index.ts';
import { migrate } from './migrate.ts';
import type { MigrateResult } from './migrate.ts';

export interface OpenDatabaseOptions {
  /** Defaults to every migration the code knows; tests pass their own list. */
  migrations?: readonly Migration[];
  /** How long a writer waits for another connection's lock before SQLITE_BUSY. */
  busyTimeoutMs?: number;
  /** Receives one line per applied migration. Takes a pino logger or anything shaped like it. */
  logger?: { info(obj: object, msg: string): void };
  now?: () => number;
}

const MEMORY = ':memory:';

/**
 * Opens (creating if needed) the relay's SQLite file, applies the connection pragmas and
 * pending migrations, and returns the handle. The caller owns it and must close() it.
 */
export function openDatabase(file: string, options: OpenDatabaseOptions = {}): Database {
  if (file !== MEMORY) mkdirSync(dirname(resolve(file)), { recursive: true });
  const db = new BetterSqlite3(file);
  try {
    // busy_timeout first, so the pragmas below also wait for a concurrently starting process.
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    db.pragma('journal_mode = WAL');
    // FULL: every commit is fsynced to the WAL, so a power cut loses nothing committed
    // (NORMAL would survive a process crash but could drop the last calls on power loss).
    // The relay writes a few rows per call; the fsync costs far less than a lost call.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');

    const result: MigrateResult = migrate(db, {
      migrations: options.migrations ?? MIGRATIONS,
      ...(options.now ? { now: options.now } : {}),
    });
    for (const m of result.applied) {
      options.logger?.info({ component: 'db', version: m.version, migration: m.name }, 'migration applied');
    }
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
