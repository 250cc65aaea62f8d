import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { SampleTuple, WriteDone, WriteJob } from './healthSampleWorker.ts';

export type { SampleTuple };

/**
 * Writes heartbeat health samples on a worker thread with its own SQLite
 * connection (issue 15: with 10,000 terminals the relay wrote ~1,000 samples
 * a second, and each 250 ms batch held the event loop 5–35 ms while a press
 * waited behind it; 14 % of the relay's time went there in
 * bench-idle-terminals). Writes are posted, not awaited. Readers that must
 * see every sample so far call drain(), which blocks until the worker has
 * committed them (rare: the fleet history page, compaction, shutdown).
 * If the worker fails, the batches it had not committed are handed back to
 * `fallback` (the main thread writes them itself), and so is every batch
 * after that: nothing is lost, it is only slower.
 */
export class HealthSampleWriter {
  readonly #worker: Worker;
  /** [0]: the last batch committed; [1]: samples the worker's database refused so far. */
  readonly #committed = new Int32Array(new SharedArrayBuffer(8));
  readonly #inFlight = new Map<number, SampleTuple[]>();
  readonly #fallback: (rows: SampleTuple[]) => number;
  readonly #log: Logger | undefined;
  #seq = 0;
  #failed = false;
  #closed = false;
  #refusedHere = 0;

  /** Samples the database refused (their terminal was deleted meanwhile). */
  get refused(): number {
    return this.#refusedHere + Atomics.load(this.#committed, 1);
  }

  constructor(opts: { file: string; fallback: (rows: SampleTuple[]) => number; logger?: Logger; busyTimeoutMs?: number }) {
    this.#fallback = opts.fallback;
    this.#log = opts.logger?.child({ component: 'health-writer' });
    this.#worker = new Worker(new URL('./healthSampleWorker.ts', import.meta.url), {
      workerData: { file: opts.file, committed: this.#committed, busyTimeoutMs: opts.busyTimeoutMs ?? 5000 },
    });
    // The relay's shutdown closes it; it must not keep a finished process alive.
    this.#worker.unref();
    this.#worker.on('message', (done: WriteDone) => this.#done(done));
    this.#worker.on('error', (err) => this.#fail(err));
    this.#worker.on('exit', (code) => {
      if (!this.#closed) this.#fail(new Error(`health writer exited with code ${code}`));
    });
  }

  /** Queues rows for the worker (or writes them here once it has failed). */
  write(rows: SampleTuple[]): void {
    if (!rows.length) return;
    if (this.#failed || this.#closed) {
      this.#refusedHere += this.#fallback(rows);
      return;
    }
    const job: WriteJob = { seq: ++this.#seq, rows };
    this.#inFlight.set(job.seq, rows);
    this.#worker.postMessage(job);
  }

  /** Blocks (at most timeoutMs) until every row written so far is committed. False if it gave up waiting. */
  drain(timeoutMs = 5000): boolean {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = Atomics.load(this.#committed, 0);
      if (at >= this.#seq || this.#failed) return true;
      const left = deadline - Date.now();
      if (left <= 0) {
        this.#log?.warn({ waiting: this.#seq - at }, 'health samples not yet written; reading without them');
        return false;
      }
      Atomics.wait(this.#committed, 0, at, left);
    }
  }

  get pendingBatches(): number {
    return this.#inFlight.size;
  }

  /** Waits for what was posted, then stops the thread. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.drain();
    this.#closed = true;
    this.#worker.postMessage('close');
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => void this.#worker.terminate().then(() => resolve()), 2000);
      this.#worker.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  #done(done: WriteDone): void {
    const rows = this.#inFlight.get(done.seq);
    this.#inFlight.delete(done.seq);
    if (done.error) {
      // The worker could not write this batch at all (the database was busy past its timeout…): try here.
      this.#log?.warn({ error: done.error, rows: rows?.length ?? 0 }, 'health writer could not write a batch; writing it on the main thread');
      if (rows) this.#refusedHere += this.#fallback(rows);
    }
  }

  #fail(err: Error): void {
    if (this.#failed) return;
    this.#failed = true;
    const left = [...this.#inFlight.values()];
    this.#inFlight.clear();
    this.#log?.error({ err, batches: left.length }, 'health writer thread failed; samples are written on the main thread from now on');
    for (const rows of left) this.#refusedHere += this.#fallback(rows);
  }
}
