// The health-sample writer's thread (see HealthSampleWriter.ts). It holds its
// own connection to the relay's database file and commits batches of heartbeat
// samples there, so the SQLite work (and the WAL checkpoints that come with
// it) never runs on the event loop that answers presses. Self-contained:
// Node loads it directly, outside any bundler.
import { parentPort, workerData } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';

/** terminal id, at, cpu °C, RSSI dBm, RTT ms, load1, the whole report as JSON */
export type SampleTuple = [string, number, number | null, number | null, number | null, number | null, string];
export interface WriteJob {
  seq: number;
  rows: SampleTuple[];
}
export interface WriteDone {
  seq: number;
  written: number;
  refused: number;
  error?: string;
}

const { file, committed, busyTimeoutMs } = workerData as { file: string; committed: Int32Array; busyTimeoutMs: number };
const db = new BetterSqlite3(file);
db.pragma(`busy_timeout = ${busyTimeoutMs}`);
db.pragma('foreign_keys = ON');
// Health readings are the one thing a power cut may take the last second of (the next beat brings
// new ones); calls and audit rows keep FULL on the main connection, whose next commit syncs the WAL.
db.pragma('synchronous = NORMAL');
const insert = db.prepare(`INSERT OR REPLACE INTO health_samples (terminal_id, at, cpu_temp_c, rssi_dbm, rtt_ms, load1, health) VALUES (?, ?, ?, ?, ?, ?, ?)`);
// Small transactions: the main connection's writes (a new call) wait at most for one of them.
const CHUNK = 100;
const insertChunk = db.transaction((rows: SampleTuple[]) => {
  for (const r of rows) insert.run(...r);
});

function write(rows: SampleTuple[]): { written: number; refused: number } {
  let refused = 0;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    try {
      insertChunk(chunk);
    } catch {
      // One refused sample (its terminal was deleted meanwhile) must not cost the others.
      for (const one of chunk) {
        try {
          insertChunk([one]);
        } catch {
          refused++;
        }
      }
    }
  }
  return { written: rows.length - refused, refused };
}

parentPort!.on('message', (job: WriteJob | 'close') => {
  if (job === 'close') {
    db.close();
    parentPort!.close();
    return;
  }
  let done: WriteDone;
  try {
    done = { seq: job.seq, ...write(job.rows) };
  } catch (error) {
    done = { seq: job.seq, written: 0, refused: 0, error: String(error) };
  }
  // Readers on the main thread block on this counter until their samples are in (HealthSampleWriter.drain),
  // and read the refusals beside it, so both are known the moment drain() returns.
  Atomics.add(committed, 1, done.refused);
  Atomics.store(committed, 0, job.seq);
  Atomics.notify(committed, 0);
  parentPort!.postMessage(done);
});
