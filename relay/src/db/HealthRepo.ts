import type { Database, Statement } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { Static, TSchema } from 'typebox';
import Value from 'typebox/value';
import { SelfTestReport, TerminalHealth, type AlarmView, type HealthPoint } from '@helppoint/shared';
import { HealthSampleWriter, type SampleTuple } from './HealthSampleWriter.ts';

export interface HealthRepoOptions {
  db: Database;
  /** Raw samples younger than this stay raw; older ones are folded into buckets. */
  rawWindowMs?: number;
  bucketMs?: number;
  /** Aggregates older than this are deleted. */
  retentionMs?: number;
  /** Health samples are written in batches: at most this long after they arrive (default 250 ms)… */
  flushEveryMs?: number;
  /** …or as soon as this many are waiting (default 500). */
  flushMax?: number;
  /**
   * Write the batches on a worker thread with its own connection (the relay does; a database in
   * memory cannot be shared, so it is always written inline).
   */
  offThread?: boolean;
  logger?: Logger;
}

export interface LatestSample {
  terminalId: string;
  at: number;
  health: TerminalHealth;
}

/** A terminal's newest stored sample; health is null when it no longer matches the schema (see staleRows). */
export interface StoredSample extends Omit<LatestSample, 'health'> {
  health: TerminalHealth | null;
}

interface SampleRow {
  terminal_id: string;
  at: number;
  health: string;
}

interface AlarmRow {
  terminal_id: string;
  kind: 'tamper';
  raised_at: number;
  cleared_at: number | null;
}

const MINUTE = 60_000;

/**
 * Health history, alarms and self-test results. Heartbeats are frequent
 * (every 10 s per terminal), so raw rows are short-lived: compact() folds
 * them into fixed buckets (5 min by default) that charts read for long spans.
 */
export class HealthRepo {
  readonly rawWindowMs: number;
  readonly bucketMs: number;
  readonly retentionMs: number;
  readonly #db: Database;
  #pending: LatestSample[] = [];
  #flushTimer: ReturnType<typeof setTimeout> | null = null;
  readonly #flushEveryMs: number;
  readonly #flushMax: number;
  readonly #insertBatch: (batch: SampleTuple[]) => void;
  readonly #writer: HealthSampleWriter | null;
  readonly #insertSample: Statement<[string, number, number | null, number | null, number | null, number | null, string]>;
  readonly #latest: Statement<[], SampleRow>;
  readonly #rawSince: Statement<[string, number], HealthPoint>;
  readonly #aggSince: Statement<[string, number], HealthPoint>;
  readonly #fold: Statement<[{ bucket: number; cutoff: number }]>;
  readonly #dropRaw: Statement<[number]>;
  readonly #dropAgg: Statement<[number]>;
  readonly #insertTest: Statement<[string, number, number, string, number, string]>;
  readonly #lastTests: Statement<[], { terminal_id: string; report: string }>;
  readonly #openAlarm: Statement<[string, string], AlarmRow>;
  readonly #raise: Statement<[string, string, number]>;
  readonly #clear: Statement<[number, string, string]>;
  readonly #latestAlarms: Statement<[], AlarmRow>;

  constructor(opts: HealthRepoOptions) {
    const db = opts.db;
    this.#db = db;
    this.rawWindowMs = opts.rawWindowMs ?? 30 * MINUTE;
    this.bucketMs = opts.bucketMs ?? 5 * MINUTE;
    this.retentionMs = opts.retentionMs ?? 30 * 24 * 60 * MINUTE;
    this.#insertSample = db.prepare(
      `INSERT OR REPLACE INTO health_samples (terminal_id, at, cpu_temp_c, rssi_dbm, rtt_ms, load1, health) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    // The newest sample per terminal: what the fleet page shows after a relay restart.
    this.#flushEveryMs = opts.flushEveryMs ?? 250;
    this.#flushMax = opts.flushMax ?? 500;
    this.#insertBatch = db.transaction((batch: SampleTuple[]) => {
      for (const row of batch) this.#insertSample.run(...row);
    });
    this.#writer = opts.offThread && !db.memory ? new HealthSampleWriter({ file: db.name, fallback: (rows) => this.#writeInline(rows), ...(opts.logger ? { logger: opts.logger } : {}) }) : null;
    this.#latest = db.prepare(
      `SELECT s.terminal_id, s.at, s.health FROM health_samples s
       JOIN (SELECT terminal_id, max(at) AS at FROM health_samples GROUP BY terminal_id) m USING (terminal_id, at)`,
    );
    this.#rawSince = db.prepare(
      `SELECT at, cpu_temp_c AS cpuTempC, rssi_dbm AS rssiDbm, rtt_ms AS rttMs FROM health_samples WHERE terminal_id = ? AND at >= ? ORDER BY at`,
    );
    this.#aggSince = db.prepare(
      `SELECT bucket_start AS at, cpu_temp_avg AS cpuTempC, rssi_avg AS rssiDbm, rtt_avg AS rttMs FROM health_aggregates
       WHERE terminal_id = ? AND bucket_start >= ? ORDER BY bucket_start`,
    );
    // Merges into an existing bucket with sample-weighted averages, so folding
    // twice (or a late sample) never loses what was already aggregated.
    this.#fold = db.prepare(
      `INSERT INTO health_aggregates AS a (terminal_id, bucket_start, samples, cpu_temp_avg, cpu_temp_max, rssi_avg, rssi_min, rtt_avg, rtt_max)
       SELECT terminal_id, (at - at % CAST(@bucket AS INTEGER)), count(*), avg(cpu_temp_c), max(cpu_temp_c), avg(rssi_dbm), min(rssi_dbm), avg(rtt_ms), max(rtt_ms)
       FROM health_samples WHERE at < @cutoff GROUP BY terminal_id, (at - at % CAST(@bucket AS INTEGER))
       ON CONFLICT (terminal_id, bucket_start) DO UPDATE SET
         cpu_temp_avg = CASE WHEN excluded.cpu_temp_avg IS NULL THEN a.cpu_temp_avg WHEN a.cpu_temp_avg IS NULL THEN excluded.cpu_temp_avg
                        ELSE (a.cpu_temp_avg * a.samples + excluded.cpu_temp_avg * excluded.samples) / (a.samples + excluded.samples) END,
         cpu_temp_max = max(coalesce(a.cpu_temp_max, excluded.cpu_temp_max), coalesce(excluded.cpu_temp_max, a.cpu_temp_max)),
         rssi_avg = CASE WHEN excluded.rssi_avg IS NULL THEN a.rssi_avg WHEN a.rssi_avg IS NULL THEN excluded.rssi_avg
                    ELSE (a.rssi_avg * a.samples + excluded.rssi_avg * excluded.samples) / (a.samples + excluded.samples) END,
         rssi_min = min(coalesce(a.rssi_min, excluded.rssi_min), coalesce(excluded.rssi_min, a.rssi_min)),
         rtt_avg = CASE WHEN excluded.rtt_avg IS NULL THEN a.rtt_avg WHEN a.rtt_avg IS NULL THEN excluded.rtt_avg
                   ELSE (a.rtt_avg * a.samples + excluded.rtt_avg * excluded.samples) / (a.samples + excluded.samples) END,
         rtt_max = max(coalesce(a.rtt_max, excluded.rtt_max), coalesce(excluded.rtt_max, a.rtt_max)),
         samples = a.samples + excluded.samples`,
    );
    this.#dropRaw = db.prepare('DELETE FROM health_samples WHERE at < ?');
    this.#dropAgg = db.prepare('DELETE FROM health_aggregates WHERE bucket_start < ?');
    this.#insertTest = db.prepare(
      'INSERT INTO self_tests (terminal_id, started_at, finished_at, trigger, passed, report) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.#lastTests = db.prepare(
      `SELECT terminal_id, report FROM self_tests WHERE id IN (SELECT max(id) FROM self_tests GROUP BY terminal_id)`,
    );
    this.#openAlarm = db.prepare('SELECT terminal_id, kind, raised_at, cleared_at FROM terminal_alarms WHERE terminal_id = ? AND kind = ? AND cleared_at IS NULL');
    this.#raise = db.prepare('INSERT INTO terminal_alarms (terminal_id, kind, raised_at) VALUES (?, ?, ?)');
    this.#clear = db.prepare('UPDATE terminal_alarms SET cleared_at = ? WHERE terminal_id = ? AND kind = ? AND cleared_at IS NULL');
    this.#latestAlarms = db.prepare(
      `SELECT terminal_id, kind, raised_at, cleared_at FROM terminal_alarms WHERE id IN (SELECT max(id) FROM terminal_alarms GROUP BY terminal_id)`,
    );
  }

  /**
   * Queues one heartbeat's health sample; they are written together, in one
   * transaction, at most `flushEveryMs` later, in chunks small enough (≤ 500 rows, a few ms) that a press never waits long behind one (issue 15: with 10,000 terminals
   * a write per heartbeat kept the event loop busy while a press waited).
   * Every read below writes the queue first, so readers never miss a sample.
   */
  recordSample(terminalId: string, at: number, health: TerminalHealth): void {
    this.#pending.push({ terminalId, at, health });
    if (this.#pending.length >= this.#flushMax) this.flush();
    else if (!this.#flushTimer) {
      this.#flushTimer = setTimeout(() => this.flush(), this.#flushEveryMs);
      this.#flushTimer.unref?.();
    }
  }

  /**
   * Writes the queued samples now (also at shutdown). One refused sample (its
   * terminal was deleted meanwhile) must not cost the others: then they are
   * written one by one and the refused ones are counted and dropped.
   */
  flush(): { written: number; refused: number } {
    if (this.#flushTimer) clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
    const batch = this.#pending;
    if (!batch.length) return { written: 0, refused: 0 };
    this.#pending = [];
    const rows = batch.map(({ terminalId, at, health }): SampleTuple => [terminalId, at, health.cpuTempC, health.lte?.rssiDbm ?? null, health.rttMs, health.load1, JSON.stringify(health)]);
    if (this.#writer) {
      // Posted: the worker commits them; refusals are counted as they come back.
      this.#writer.write(rows);
      return { written: rows.length, refused: 0 };
    }
    const refused = this.#writeInline(rows);
    return { written: rows.length - refused, refused };
  }

  /** Writes on this thread; returns how many rows the database refused. */
  #writeInline(rows: SampleTuple[]): number {
    try {
      this.#insertBatch(rows);
      return 0;
    } catch {
      let refused = 0;
      for (const one of rows) {
        try {
          this.#insertBatch([one]);
        } catch {
          refused++;
        }
      }
      this.#refusedInline += refused;
      return refused;
    }
  }

  #refusedInline = 0;

  /** Samples dropped because the database refused them (unknown terminal). */
  get refusedSamples(): number {
    return this.#refusedInline + (this.#writer?.refused ?? 0);
  }

  /** Everything queued so far is in the database when this returns (readers call it). */
  #sync(): void {
    this.flush();
    this.#writer?.drain();
  }

  /** Writes what is queued and stops the writer thread (at shutdown). */
  async close(): Promise<void> {
    this.flush();
    await this.#writer?.close();
  }

  get pendingSamples(): number {
    return this.#pending.length;
  }

  /**
   * Stored health and self-test rows that no longer match today's schema (written
   * before a field became required), skipped when loaded. They would otherwise
   * fail the fleet page's response schema for every terminal; skipped, that
   * terminal's readings show "unknown" until its next heartbeat or self-test.
   */
  staleRows = 0;

  latestSamples(): StoredSample[] {
    this.#sync();
    return this.#latest.all().map((r) => ({ terminalId: r.terminal_id, at: r.at, health: this.#current(TerminalHealth, r.health) }));
  }

  /**
   * Folds raw samples older than the raw window into buckets and deletes
   * them; drops buckets past retention. Only whole buckets are folded, so a
   * bucket is never split between raw rows and an aggregate.
   */
  compact(now: number): { folded: number; droppedBuckets: number } {
    this.#sync();
    const cutoff = Math.floor((now - this.rawWindowMs) / this.bucketMs) * this.bucketMs;
    return this.#db.transaction(() => {
      this.#fold.run({ bucket: this.bucketMs, cutoff });
      const folded = this.#dropRaw.run(cutoff).changes;
      const droppedBuckets = this.#dropAgg.run(now - this.retentionMs).changes;
      return { folded, droppedBuckets };
    })();
  }

  /** Points for charts: buckets for the older part, raw samples for the recent part. */
  history(terminalId: string, since: number): HealthPoint[] {
    this.#sync();
    const raw = this.#rawSince.all(terminalId, since);
    const firstRaw = raw[0]?.at ?? Number.POSITIVE_INFINITY;
    const agg = this.#aggSince.all(terminalId, since).filter((p) => p.at < firstRaw);
    return [...agg, ...raw];
  }

  addSelfTest(terminalId: string, report: SelfTestReport): void {
    this.#insertTest.run(terminalId, report.startedAt, report.finishedAt, report.trigger, report.passed ? 1 : 0, JSON.stringify(report));
  }

  lastSelfTests(): Map<string, SelfTestReport> {
    return new Map(
      this.#lastTests.all().flatMap((r) => {
        const report = this.#current(SelfTestReport, r.report);
        return report ? [[r.terminal_id, report] as const] : [];
      }),
    );
  }

  #current<T extends TSchema>(schema: T, json: string): Static<T> | null {
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch {
      value = undefined;
    }
    if (Value.Check(schema, value)) return value;
    this.staleRows++;
    return null;
  }

  /** Opens an alarm unless one of that kind is already open; returns the open alarm. */
  setAlarm(terminalId: string, kind: 'tamper', active: boolean, at: number): { alarm: AlarmView; changed: boolean } {
    return this.#db.transaction(() => {
      const open = this.#openAlarm.get(terminalId, kind);
      if (active) {
        if (open) return { alarm: toAlarm(open), changed: false };
        this.#raise.run(terminalId, kind, at);
        return { alarm: { kind, active: true, raisedAt: at, clearedAt: null }, changed: true };
      }
      if (!open) return { alarm: { kind, active: false, raisedAt: at, clearedAt: at }, changed: false };
      this.#clear.run(Math.max(at, open.raised_at), terminalId, kind);
      return { alarm: { kind, active: false, raisedAt: open.raised_at, clearedAt: Math.max(at, open.raised_at) }, changed: true };
    }).immediate();
  }

  latestAlarms(): Map<string, AlarmView> {
    return new Map(this.#latestAlarms.all().map((r) => [r.terminal_id, toAlarm(r)]));
  }
}

function toAlarm(r: AlarmRow): AlarmView {
  return { kind: r.kind, active: r.cleared_at === null, raisedAt: r.raised_at, clearedAt: r.cleared_at };
}
