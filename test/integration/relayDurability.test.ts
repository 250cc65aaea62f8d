import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DbBackups } from '../../relay/src/db/DbBackups.ts';
import { openDatabase } from '../../relay/src/db/openDatabase.ts';

/**
 * A relay process killed in the middle of writing calls (SIGKILL: no
 * shutdown code runs, like a crash; the WAL with synchronous=FULL is also
 * what makes a power cut lose nothing committed) keeps every call it had
 * committed, and online backups taken while it writes are whole databases.
 */
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-durable-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function startWriter(file: string) {
  const committed: string[] = [];
  const child = fork(path.resolve(import.meta.dirname, '../support/callWriter.ts'), [file], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  child.on('message', (m: { committed?: string }) => {
    if (m.committed) committed.push(m.committed);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, committed, exited };
}

const until = async (check: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('relay database durability', () => {
  it('every call a SIGKILLed writer had committed is there after restart, and the file is intact', async () => {
    const file = path.join(dir, 'relay.db');
    const w = startWriter(file);
    await until(() => w.committed.length >= 500, 30_000);
    w.child.kill('SIGKILL');
    await w.exited;

    const db = openDatabase(file); // what the restarted relay does
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const ids = new Set(db.prepare<[], string>('SELECT request_id FROM calls').pluck().all());
      const lost = w.committed.filter((id) => !ids.has(id));
      expect(lost).toEqual([]);
      // every stored call is whole: ended, with its timeline
      expect(db.prepare("SELECT count(*) FROM calls WHERE state <> 'ended'").pluck().get()).toBeLessThanOrEqual(1);
    } finally {
      db.close();
    }
  });

  it('online backups taken while calls are written are consistent, complete up to the backup, and pruned to `keep`', async () => {
    const file = path.join(dir, 'relay.db');
    const w = startWriter(file);
    await until(() => w.committed.length >= 200, 30_000);
    const db = openDatabase(file);
    const backups = new DbBackups({ db, dir: path.join(dir, 'backups'), keep: 2, logger: pino({ level: 'silent' }) });
    try {
      const made: string[] = [];
      for (let i = 0; i < 3; i++) {
        const before = w.committed.length;
        const copy = await backups.backupNow();
        made.push(copy);
        const b = new BetterSqlite3(copy, { readonly: true });
        expect(b.pragma('integrity_check', { simple: true })).toBe('ok');
        const n = b.prepare('SELECT count(*) FROM calls').pluck().get() as number;
        expect(n).toBeGreaterThanOrEqual(before);
        b.close();
      }
      expect(backups.list()).toEqual(made.slice(1));
      expect(fs.readdirSync(path.join(dir, 'backups')).filter((f) => f.endsWith('.partial'))).toEqual([]);
    } finally {
      w.child.kill('SIGKILL');
      await w.exited;
      db.close();
    }
  });
});
