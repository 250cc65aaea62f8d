import type { Database } from 'better-sqlite3';
import { DbError } from './DbError.ts';
import type { Migration } from './migrations/index.ts';

export interface AppliedMigration {
  version: number;
  name: string;
  appliedAt: number;
}

export interface MigrateOptions {
  migrations: readonly Migration[];
  now?: () => number;
}

export interface MigrateResult {
  /** Migrations applied by this call (empty when the schema was already current). */
  applied: AppliedMigration[];
  version: number;
}

interface MigrationRow {
  version: number;
  name: string;
  applied_at: number;
}

/**
 * Brings the schema up to the newest known migration. Each migration runs in its own
 * IMMEDIATE transaction together with its schema_migrations row, so a failure leaves
 * the database at the previous version and two processes starting at once cannot both
 * apply the same migration.
 */
export function migrate(db: Database, options: MigrateOptions): MigrateResult {
  const { migrations } = options;
  const now = options.now ?? Date.now;
  checkMigrationList(migrations);
  const latestKnown = migrations.at(-1)?.version ?? 0;

  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version     INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    applied_at  INTEGER NOT NULL
  ) STRICT`);

  const currentVersion = db.prepare<[], { v: number | null }>(
    'SELECT max(version) AS v FROM schema_migrations',
  );
  const record = db.prepare<[number, string, number]>(
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  );
  const readVersion = (): number => currentVersion.get()?.v ?? 0;

  const before = readVersion();
  if (before > latestKnown) throw tooNew(before, latestKnown);

  const applied: AppliedMigration[] = [];
  for (const m of migrations) {
    // Already applied (the usual start): no write lock. Taking one per migration made a second process
    // (the CLI beside a running relay) wait for a busy writer nine times, and time out under load.
    if (readVersion() >= m.version) continue;
    const step = db.transaction((): AppliedMigration | null => {
      // Re-read under the write lock: another process may have migrated meanwhile.
      const v = readVersion();
      if (v > latestKnown) throw tooNew(v, latestKnown);
      if (v >= m.version) return null;
      const appliedAt = now();
      db.exec(m.up);
      if (m.foreignKeysOff) {
        const broken = db.pragma('foreign_key_check') as unknown[];
        if (broken.length) throw new Error(`${broken.length} rows break a foreign key after the rebuild`);
      }
      record.run(m.version, m.name, appliedAt);
      return { version: m.version, name: m.name, appliedAt };
    });
    let result: AppliedMigration | null;
    // PRAGMA foreign_keys is a no-op inside a transaction: switched outside it.
    const fkWasOn = m.foreignKeysOff ? db.pragma('foreign_keys', { simple: true }) === 1 : false;
    if (fkWasOn) db.pragma('foreign_keys = OFF');
    try {
      result = step.immediate();
    } catch (err) {
      if (err instanceof DbError) throw err;
      throw new DbError(
        'migration_failed',
        `migration ${m.version} (${m.name}) failed: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    } finally {
      if (fkWasOn) db.pragma('foreign_keys = ON');
    }
    if (result) applied.push(result);
  }
  return { applied, version: readVersion() };
}

export function listAppliedMigrations(db: Database): AppliedMigration[] {
  return db
    .prepare<[], MigrationRow>('SELECT version, name, applied_at FROM schema_migrations ORDER BY version')
    .all()
    .map((r) => ({ version: r.version, name: r.name, appliedAt: r.applied_at }));
}

function tooNew(dbVersion: number, codeVersion: number): DbError {
  return new DbError(
    'db_too_new',
    `database schema is at version ${dbVersion} but this relay only knows up to ${codeVersion}; ` +
      'run a newer relay or restore a backup — refusing to touch it',
  );
}

function checkMigrationList(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new DbError(
        'migrations_invalid',
        `migration list must be numbered 1..n without gaps; position ${i} has version ${m.version}`,
      );
    }
  });
}
