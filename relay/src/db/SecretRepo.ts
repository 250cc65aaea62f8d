import { randomBytes } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';

/** Secrets the relay keeps across restarts (e.g. the key that signs known-device cookies). */
export class SecretRepo {
  readonly #get: Statement<[string], { value: string }>;
  readonly #insert: Statement<[string, string, number]>;

  constructor({ db }: { db: Database }) {
    this.#get = db.prepare<[string], { value: string }>('SELECT value FROM relay_secrets WHERE name = ?');
    this.#insert = db.prepare<[string, string, number]>('INSERT INTO relay_secrets (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING');
  }

  /** The named secret, made (32 random bytes, base64url) the first time it is asked for. */
  getOrCreate(name: string): string {
    const found = this.#get.get(name);
    if (found) return found.value;
    this.#insert.run(name, randomBytes(32).toString('base64url'), Date.now());
    return this.#get.get(name)!.value;
  }
}
