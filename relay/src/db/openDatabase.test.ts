import { existsSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from './openDatabase.ts';
import { listAppliedMigrations } from './migrate.ts';
import { MIGRATIONS } from './migrations/index.ts';
import type { Migration } from './migrations/index.ts';
import { TerminalRepo } from './TerminalRepo.ts';
import { makeTempDb, sampleTerminal } from './testSupport.ts';
import type { TempDb } from './testSupport.ts';

function tableNames(db: BetterSqlite3.Database): string[] {
  return db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .all()
    .map((r) => r.name);
}

describe('openDatabase', () => {
  let tmp: TempDb;
  beforeEach(() => {
    tmp = makeTempDb();
  });
  afterEach(() => tmp.cleanup());

  it('creates the directory and file, applies every migration once and records it', () => {
    expect(existsSync(tmp.file)).toBe(false);
    const db = tmp.open({ now: () => 1234 });
    expect(existsSync(tmp.file)).toBe(true);
    expect(listAppliedMigrations(db)).toEqual(
      MIGRATIONS.map((m) => ({ version: m.version, name: m.name, appliedAt: 1234 })),
    );
    expect(tableNames(db)).toEqual(
      expect.arrayContaining(['terminals', 'calls', 'call_events', 'users', 'sessions', 'schema_migrations']),
    );
  });

  it('re-opening an up-to-date database is a no-op', () => {
    const logged: unknown[] = [];
    const logger = { info: (obj: object) => logged.push(obj) };
    tmp.open({ logger, now: () => 1 }).close();
    expect(logged).toHaveLength(MIGRATIONS.length);

    logged.length = 0;
    const db = tmp.open({ logger, now: () => 2 });
    expect(logged).toEqual([]);
    const applied = listAppliedMigrations(db);
    expect(applied).toHaveLength(MIGRATIONS.length);
    expect(applied.every((m) => m.appliedAt === 1)).toBe(true);
  });

  it('refuses a database written by a newer relay with db_too_new, and leaves it untouched', () => {
    const db = tmp.open();
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'from_the_future', 0)").run();
    db.close();

    expect(() => openDatabase(tmp.file)).toThrow(expect.objectContaining({ code: 'db_too_new' }));

    const raw = new BetterSqlite3(tmp.file, { readonly: true });
    try {
      const versions = raw.prepare<[], { version: number }>('SELECT version FROM schema_migrations ORDER BY version').all();
      expect(versions.map((v) => v.version)).toEqual([...MIGRATIONS.map((m) => m.version), 99]);
    } finally {
      raw.close();
    }
  });

  it('rolls back a failing migration completely and stays at the previous version', () => {
    tmp.open().close();
    const broken: Migration = {
      version: MIGRATIONS.length + 1,
      name: 'broken',
      up: 'CREATE TABLE half_done (x INTEGER); INSERT INTO no_such_table VALUES (1);',
    };
    expect(() => openDatabase(tmp.file, { migrations: [...MIGRATIONS, broken] })).toThrow(
      expect.objectContaining({ code: 'migration_failed' }),
    );
    const db = tmp.open();
    expect(tableNames(db)).not.toContain('half_done');
    expect(listAppliedMigrations(db).map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('applies a later migration on the next start', () => {
    tmp.open().close();
    const next: Migration = { version: MIGRATIONS.length + 1, name: 'add_widget', up: 'CREATE TABLE widget (id INTEGER PRIMARY KEY) STRICT;' };
    const db = tmp.open({ migrations: [...MIGRATIONS, next] });
    expect(tableNames(db)).toContain('widget');
    expect(listAppliedMigrations(db).at(-1)).toMatchObject({ version: next.version, name: 'add_widget' });
  });

  it('rejects a migration list with gaps', () => {
    const gap: Migration = { version: MIGRATIONS.length + 2, name: 'gap', up: 'SELECT 1;' };
    expect(() => openDatabase(tmp.file, { migrations: [...MIGRATIONS, gap] })).toThrow(
      expect.objectContaining({ code: 'migrations_invalid' }),
    );
  });

  it('runs in WAL mode with the connection pragmas set', () => {
    const db = tmp.open();
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL: committed calls survive a power cut
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    new TerminalRepo({ db }).upsert(sampleTerminal('XC-HT-001'));
    expect(existsSync(`${tmp.file}-wal`)).toBe(true);
  });

  it('lets a second connection see committed data', () => {
    const a = tmp.open();
    const b = tmp.open();
    const repoA = new TerminalRepo({ db: a });
    const repoB = new TerminalRepo({ db: b });
    expect(repoB.get('XC-HT-001')).toBeNull();
    repoA.upsert(sampleTerminal('XC-HT-001', { name: '银锭桥 北侧' }));
    expect(repoB.get('XC-HT-001')?.name).toBe('银锭桥 北侧');

    // A plain handle (another process would look like this) sees it too.
    const raw = new BetterSqlite3(tmp.file, { readonly: true });
    try {
      expect(raw.prepare('SELECT name FROM terminals').pluck().get()).toBe('银锭桥 北侧');
    } finally {
      raw.close();
    }
  });

  it('also opens :memory:', () => {
    const db = openDatabase(':memory:');
    try {
      expect(listAppliedMigrations(db)).toHaveLength(MIGRATIONS.length);
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    } finally {
      db.close();
    }
  });
});
