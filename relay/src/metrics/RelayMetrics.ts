import type { Logger } from 'pino';
import type { CallView } from '@helppoint/shared';
import type { CallService } from '../calls/CallService.ts';
import type { TerminalRepo } from '../db/TerminalRepo.ts';
import type { FleetService } from '../fleet/FleetService.ts';
import type { TerminalPresence } from '../presence/TerminalPresence.ts';
import type { WorkerPool } from '../sfu/WorkerPool.ts';
import { Counter, Gauge, Histogram, renderFamilies } from './promText.ts';

export interface RelayMetricsOptions {
  calls: CallService;
  fleet: FleetService;
  presence: TerminalPresence;
  terminals: TerminalRepo;
  pool: WorkerPool;
  logger: Logger;
}

/** Seconds; a call should be answered within seconds, media should flow in well under one. */
const SETUP_BUCKETS = [0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120];
const LAG_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];

/**
 * GET /metrics for Prometheus: terminals online/offline, calls by outcome,
 * call set-up time (press → first terminal media, press → answered),
 * heartbeat lag, and each mediasoup worker's CPU time and memory.
 */
export class RelayMetrics {
  readonly #opts: RelayMetricsOptions;
  readonly #log: Logger;
  readonly #callsEnded = new Counter('helppoint_calls_total', 'Help calls that ended, by end reason.');
  readonly #setup = new Histogram('helppoint_call_setup_seconds', 'From the button press to the stage: media (first terminal track live) or answered.', SETUP_BUCKETS);
  readonly #lag = new Histogram('helppoint_heartbeat_lag_seconds', 'How late each heartbeat arrived after the expected interval.', LAG_BUCKETS);
  readonly #terminals = new Gauge('helppoint_terminals', 'Registered terminals by state.');
  readonly #alarms = new Gauge('helppoint_terminal_alarms_active', 'Terminals with an open alarm (enclosure open).');
  readonly #beatAge = new Gauge('helppoint_heartbeat_age_max_seconds', 'Longest time since the last heartbeat among online terminals.');
  readonly #workerCpu = new Gauge('helppoint_mediasoup_worker_cpu_seconds_total', 'CPU time used by a mediasoup worker (user + system).');
  readonly #workerRss = new Gauge('helppoint_mediasoup_worker_max_rss_bytes', 'Peak resident memory of a mediasoup worker.');
  readonly #workerUp = new Gauge('helppoint_mediasoup_worker_up', '1 while the mediasoup worker is alive.');
  /** Stages already observed per open call, so each is counted once. */
  readonly #seen = new Map<string, Set<'media' | 'answered'>>();

  constructor(opts: RelayMetricsOptions) {
    this.#opts = opts;
    this.#log = opts.logger.child({ component: 'metrics' });
    opts.calls.on('callUpdated', (call: CallView) => this.#onCall(call));
    opts.fleet.on('heartbeatLag', (lagMs: number) => this.#lag.observe(lagMs / 1000));
  }

  async render(now = Date.now()): Promise<string> {
    const { presence, terminals, fleet, pool } = this.#opts;
    const total = terminals.count();
    const online = presence.size;
    this.#terminals.set([
      { labels: { state: 'online' }, value: online },
      { labels: { state: 'offline' }, value: Math.max(0, total - online) },
    ]);
    const entries = fleet.entries();
    this.#alarms.set([{ value: entries.filter((e) => e.alarm?.active).length }]);
    const ages = entries.filter((e) => e.online && e.lastHeartbeatAt !== null).map((e) => (now - (e.lastHeartbeatAt as number)) / 1000);
    this.#beatAge.set([{ value: ages.length ? Math.max(...ages) : 0 }]);
    const cpu: { labels: Record<string, string>; value: number }[] = [];
    const rss: { labels: Record<string, string>; value: number }[] = [];
    const up: { labels: Record<string, string>; value: number }[] = [];
    await Promise.all(
      pool.slots.map(async (slot) => {
        const labels = { worker: String(slot.index), pid: String(slot.worker.pid) };
        up.push({ labels, value: slot.worker.closed ? 0 : 1 });
        if (slot.worker.closed) return;
        try {
          const ru = await slot.worker.getResourceUsage();
          // ru_utime/ru_stime are milliseconds, ru_maxrss kilobytes (libuv's uv_getrusage).
          cpu.push({ labels, value: (ru.ru_utime + ru.ru_stime) / 1000 });
          rss.push({ labels, value: ru.ru_maxrss * 1024 });
        } catch (err) {
          this.#log.warn({ err, worker: slot.index }, 'could not read mediasoup worker resource usage');
        }
      }),
    );
    const byWorker = (a: { labels: Record<string, string> }, b: { labels: Record<string, string> }) => Number(a.labels['worker']) - Number(b.labels['worker']);
    this.#workerCpu.set(cpu.sort(byWorker));
    this.#workerRss.set(rss.sort(byWorker));
    this.#workerUp.set(up.sort(byWorker));
    return renderFamilies([this.#terminals, this.#alarms, this.#callsEnded, this.#setup, this.#lag, this.#beatAge, this.#workerCpu, this.#workerRss, this.#workerUp]);
  }

  #onCall(call: CallView): void {
    let seen = this.#seen.get(call.id);
    if (!seen) this.#seen.set(call.id, (seen = new Set()));
    if (call.producers.length > 0 && !seen.has('media')) {
      seen.add('media');
      this.#setup.observe((Date.now() - call.createdAt) / 1000, { stage: 'media' });
    }
    if (call.answeredAt !== null && !seen.has('answered')) {
      seen.add('answered');
      this.#setup.observe((call.answeredAt - call.createdAt) / 1000, { stage: 'answered' });
    }
    if (call.state === 'ended') {
      this.#callsEnded.inc({ outcome: call.endReason ?? 'unknown', answered: String(call.answeredAt !== null) });
      this.#seen.delete(call.id);
    }
  }
}
