import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from 'better-sqlite3';
import type { SelfTestReport } from '@helppoint/shared';
import { HealthRepo } from './HealthRepo.ts';
import { TerminalRepo } from './TerminalRepo.ts';
import { makeTempDb, sampleHealth, sampleTerminal, type TempDb } from './testSupport.ts';

const MIN = 60_000;
const T0 = 1_750_000_200_000 - (1_750_000_200_000 % (5 * MIN));

const health = sampleHealth;

let tmp: TempDb;
let db: Database;
let repo: HealthRepo;

beforeEach(() => {
  tmp = makeTempDb();
  db = tmp.open();
  new TerminalRepo({ db }).upsert(sampleTerminal('XC-HT-001'));
  repo = new HealthRepo({ db });
});
afterEach(() => tmp.cleanup());

describe('HealthRepo', () => {
  it('keeps recent samples raw and folds older ones into 5-minute buckets with averages and extremes', () => {
    // 10 minutes of heartbeats every 10 s, temperature climbing 40 → 99.5
    for (let i = 0; i < 60; i++) repo.recordSample('XC-HT-001', T0 + i * 10_000, health({ cpuTempC: 40 + i, rttMs: i === 7 ? 900 : 20 }));
    const now = T0 + 30 * MIN + 5 * MIN; // the first bucket is past the raw window, the second not yet
    const result = repo.compact(now);
    expect(result.folded).toBe(30);
    const points = repo.history('XC-HT-001', T0);
    expect(points).toHaveLength(1 + 30);
    expect(points[0]).toMatchObject({ at: T0, cpuTempC: 54.5 });
    const agg = db.prepare('SELECT samples, cpu_temp_max, rtt_max, rssi_min FROM health_aggregates').get();
    expect(agg).toEqual({ samples: 30, cpu_temp_max: 69, rtt_max: 900, rssi_min: -71 });
    // compacting again changes nothing; a late sample for a folded bucket merges with weights
    expect(repo.compact(now).folded).toBe(0);
    repo.recordSample('XC-HT-001', T0 + 1000, health({ cpuTempC: 85.5 }));
    repo.compact(now);
    expect(repo.history('XC-HT-001', T0)[0]).toMatchObject({ at: T0, cpuTempC: (54.5 * 30 + 85.5) / 31 });
  });

  it('drops buckets past retention and keeps null readings as gaps', () => {
    repo.recordSample('XC-HT-001', T0, health({ cpuTempC: null, lte: null }));
    repo.compact(T0 + 40 * MIN);
    expect(repo.history('XC-HT-001', 0)).toEqual([{ at: T0, cpuTempC: null, rssiDbm: null, rttMs: 20 }]);
    expect(repo.compact(T0 + repo.retentionMs + 10 * MIN).droppedBuckets).toBe(1);
    expect(repo.history('XC-HT-001', 0)).toEqual([]);
  });

  it('returns the newest sample per terminal for a restarted relay', () => {
    repo.recordSample('XC-HT-001', T0, health({ uptimeS: 1 }));
    repo.recordSample('XC-HT-001', T0 + 10_000, health({ uptimeS: 11 }));
    expect(repo.latestSamples()).toEqual([{ terminalId: 'XC-HT-001', at: T0 + 10_000, health: health({ uptimeS: 11 }) }]);
  });

  it('a stored sample or self-test an older relay wrote in another shape loads as unknown, not as a broken record', () => {
    repo.recordSample('XC-HT-001', T0, health());
    repo.flush();
    // as if written before a field became required: tamperOpen missing, a field since removed still there
    const { tamperOpen: _gone, ...old } = health();
    db.prepare('UPDATE health_samples SET health = ?').run(JSON.stringify({ ...old, wifiDbm: -40 }));
    db.prepare('INSERT INTO self_tests (terminal_id, started_at, finished_at, trigger, passed, report) VALUES (?, ?, ?, ?, ?, ?)').run('XC-HT-001', T0, T0, 'nightly', 1, '{"passed":true}');
    expect(repo.latestSamples()).toEqual([{ terminalId: 'XC-HT-001', at: T0, health: null }]);
    expect(repo.lastSelfTests().has('XC-HT-001')).toBe(false);
    expect(repo.staleRows).toBe(2);
  });

  it('opens one tamper alarm at a time and clears it', () => {
    expect(repo.setAlarm('XC-HT-001', 'tamper', true, T0)).toEqual({ alarm: { kind: 'tamper', active: true, raisedAt: T0, clearedAt: null }, changed: true });
    expect(repo.setAlarm('XC-HT-001', 'tamper', true, T0 + 5).changed).toBe(false);
    expect(repo.latestAlarms().get('XC-HT-001')).toMatchObject({ active: true, raisedAt: T0 });
    expect(repo.setAlarm('XC-HT-001', 'tamper', false, T0 + 60_000)).toEqual({
      alarm: { kind: 'tamper', active: false, raisedAt: T0, clearedAt: T0 + 60_000 },
      changed: true,
    });
    expect(repo.setAlarm('XC-HT-001', 'tamper', false, T0 + 70_000).changed).toBe(false);
    expect(repo.latestAlarms().get('XC-HT-001')).toMatchObject({ active: false, clearedAt: T0 + 60_000 });
  });

  it('keeps the latest self-test per terminal', () => {
    const report = (passed: boolean, at: number): SelfTestReport => ({
      startedAt: at,
      finishedAt: at + 5000,
      trigger: 'nightly',
      passed,
      lines: [{ check: 'camera', status: passed ? 'pass' : 'fail', detail: 'x', ms: 10 }],
    });
    repo.addSelfTest('XC-HT-001', report(true, T0));
    repo.addSelfTest('XC-HT-001', report(false, T0 + 86_400_000));
    expect(repo.lastSelfTests().get('XC-HT-001')?.passed).toBe(false);
  });

  it('refuses samples for a terminal that does not exist, without losing the others of the batch', () => {
    repo.recordSample('XC-HT-001', T0, health({ uptimeS: 1 }));
    repo.recordSample('XC-NOPE-9', T0, health());
    repo.recordSample('XC-HT-001', T0 + 10_000, health({ uptimeS: 11 }));
    expect(repo.flush()).toEqual({ written: 2, refused: 1 });
    expect(repo.refusedSamples).toBe(1);
    expect(repo.history('XC-HT-001', 0)).toHaveLength(2);
    expect(db.prepare("SELECT count(*) AS n FROM health_samples WHERE terminal_id = 'XC-NOPE-9'").get()).toEqual({ n: 0 });
  });

  it('writes heartbeat samples in batches, soon after they arrive, and reads see the queued ones', async () => {
    const batched = new HealthRepo({ db, flushEveryMs: 50, flushMax: 3 });
    const count = () => (db.prepare('SELECT count(*) AS n FROM health_samples').get() as { n: number }).n;
    batched.recordSample('XC-HT-001', T0, health());
    batched.recordSample('XC-HT-001', T0 + 1, health());
    expect(count()).toBe(0); // not yet: queued, off the heartbeat's path
    expect(batched.pendingSamples).toBe(2);
    batched.recordSample('XC-HT-001', T0 + 2, health());
    expect(count()).toBe(3); // a full batch is written at once
    batched.recordSample('XC-HT-001', T0 + 3, health());
    await new Promise((r) => setTimeout(r, 120));
    expect(count()).toBe(4); // the rest within flushEveryMs
    batched.recordSample('XC-HT-001', T0 + 4, health());
    expect(batched.history('XC-HT-001', 0)).toHaveLength(5); // a read writes the queue first
  });
});

describe('HealthRepo writing on a worker thread (the relay)', () => {
  let threaded: HealthRepo;
  beforeEach(() => {
    threaded = new HealthRepo({ db, offThread: true, flushEveryMs: 20 });
  });
  afterEach(() => threaded.close());
  const count = () => (db.prepare('SELECT count(*) AS n FROM health_samples').get() as { n: number }).n;

  it('a heartbeat costs the event loop no write; reads still see every sample so far', async () => {
    for (let i = 0; i < 1200; i++) threaded.recordSample('XC-HT-001', T0 + i * 10_000, health({ uptimeS: i }));
    // Flushed batches are posted to the thread: nothing was written on this connection yet.
    expect(threaded.flush().written).toBeGreaterThan(0);
    expect(threaded.history('XC-HT-001', 0)).toHaveLength(1200);
    expect(threaded.latestSamples()).toEqual([{ terminalId: 'XC-HT-001', at: T0 + 1199 * 10_000, health: health({ uptimeS: 1199 }) }]);
    expect(count()).toBe(1200);
  });

  it('refused samples (an unknown terminal) are counted and the rest of their batch is kept', () => {
    threaded.recordSample('XC-HT-001', T0, health());
    threaded.recordSample('XC-NOPE-9', T0, health());
    threaded.recordSample('XC-HT-001', T0 + 10_000, health());
    expect(threaded.history('XC-HT-001', 0)).toHaveLength(2);
    expect(threaded.refusedSamples).toBe(1);
  });

  it('what is queued at shutdown is in the file afterwards', async () => {
    for (let i = 0; i < 10; i++) threaded.recordSample('XC-HT-001', T0 + i, health());
    await threaded.close();
    expect(count()).toBe(10);
    // After close, samples are written on the main thread: still none lost.
    threaded.recordSample('XC-HT-001', T0 + 100, health());
    threaded.flush();
    expect(count()).toBe(11);
  });
});
