import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CallView } from '@helppoint/shared';
import type { CallService } from '../calls/CallService.ts';
import type { TerminalRepo } from '../db/TerminalRepo.ts';
import type { FleetService } from '../fleet/FleetService.ts';
import type { TerminalPresence } from '../presence/TerminalPresence.ts';
import type { WorkerPool } from '../sfu/WorkerPool.ts';

export interface RelayMetricsOptions {
  calls: CallService;
  fleet: FleetService;
  presence: TerminalPresence;
  terminals: TerminalRepo;
  pool: WorkerPool;
  logger: Logger;
  /** The media disk (free space; recording paused when nearly full). */
  disk?: { freeBytes: number; sizeBytes: number; low: boolean };
  /** Sockets refused by the per-address caps and slow requests cut off. */
  connections?: { stats(): { total: number; refused: number; timedOut: number } };
}

/** Seconds; a call should be answered within seconds, media should flow in well under one. */
const SETUP_BUCKETS = [0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120];
const LAG_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];

/**
 * GET /metrics for Prometheus, with prom-client: Node's process metrics
 * (CPU, memory, event-loop lag, GC, file descriptors) plus terminals
 * online/offline, calls by outcome, escalations, call set-up time, heartbeat
 * lag, each mediasoup worker's CPU time and memory, the media disk and the
 * hardening counters. One registry per relay (no global default registry),
 * so two relays in one test process do not share metrics.
 */
export class RelayMetrics {
  readonly registry = new Registry();
  readonly #log: Logger;
  readonly #callsEnded: Counter<'outcome' | 'answered'>;
  readonly #escalated: Counter;
  readonly #setup: Histogram<'stage'>;
  readonly #lag: Histogram;
  /** Stages already observed per open call, so each is counted once. */
  readonly #seen = new Map<string, Set<'media' | 'answered' | 'escalated'>>();
  /** Escalated calls still ringing, for the "nobody is answering" alert. */
  readonly #waitingEscalated = new Set<string>();

  constructor(opts: RelayMetricsOptions) {
    this.#log = opts.logger.child({ component: 'metrics' });
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    // prom-client exports these totals as gauges named *_total, which Prometheus reserves for
    // counters (promtool check metrics flags them); the per-type gauges of the same name stay.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) this.registry.removeSingleMetric(name);
    this.#callsEnded = new Counter({ name: 'helppoint_calls_total', help: 'Help calls that ended, by end reason.', labelNames: ['outcome', 'answered'], registers });
    this.#escalated = new Counter({ name: 'helppoint_calls_escalated_total', help: 'Calls nobody answered within the escalation time.', registers });
    this.#setup = new Histogram({ name: 'helppoint_call_setup_seconds', help: 'From the button press to the stage: media (first terminal track live) or answered.', labelNames: ['stage'], buckets: SETUP_BUCKETS, registers });
    this.#lag = new Histogram({ name: 'helppoint_heartbeat_lag_seconds', help: 'How late each heartbeat arrived after the expected interval.', buckets: LAG_BUCKETS, registers });
    const { presence, terminals, fleet, pool } = opts;
    new Gauge({
      name: 'helppoint_terminals',
      help: 'Registered terminals by state.',
      labelNames: ['state'],
      registers,
      collect() {
        const total = terminals.count();
        this.set({ state: 'online' }, presence.size);
        this.set({ state: 'offline' }, Math.max(0, total - presence.size));
      },
    });
    new Gauge({
      name: 'helppoint_terminal_alarms_active',
      help: 'Terminals with an open alarm (enclosure open).',
      registers,
      collect() {
        this.set(fleet.entries().filter((e) => e.alarm?.active).length);
      },
    });
    new Gauge({
      name: 'helppoint_heartbeat_age_max_seconds',
      help: 'Longest time since the last heartbeat among online terminals.',
      registers,
      collect() {
        const now = Date.now();
        const ages = fleet.entries().filter((e) => e.online && e.lastHeartbeatAt !== null).map((e) => (now - (e.lastHeartbeatAt as number)) / 1000);
        this.set(ages.length ? Math.max(...ages) : 0);
      },
    });
    const waiting = this.#waitingEscalated;
    new Gauge({
      name: 'helppoint_calls_escalated_waiting',
      help: 'Escalated calls still ringing: nobody has answered them.',
      registers,
      collect() {
        this.set(waiting.size);
      },
    });
    const log = this.#log;
    const usage = async () =>
      Promise.all(
        pool.slots.map(async (slot) => {
          const labels = { worker: String(slot.index), pid: String(slot.worker.pid) };
          if (slot.worker.closed) return { labels, up: 0, ru: null };
          try {
            return { labels, up: 1, ru: await slot.worker.getResourceUsage() };
          } catch (err) {
            log.warn({ err, worker: slot.index }, 'could not read mediasoup worker resource usage');
            return { labels, up: 1, ru: null };
          }
        }),
      );
    new Counter({
      name: 'helppoint_mediasoup_worker_cpu_seconds_total',
      help: 'CPU time used by a mediasoup worker (user + system); restarts from 0 when a worker is replaced.',
      labelNames: ['worker', 'pid'],
      registers,
      async collect() {
        this.reset();
        // ru_utime/ru_stime are milliseconds (libuv's uv_getrusage).
        for (const u of await usage()) if (u.ru) this.inc(u.labels, (u.ru.ru_utime + u.ru.ru_stime) / 1000);
      },
    });
    new Gauge({
      name: 'helppoint_mediasoup_worker_max_rss_bytes',
      help: 'Peak resident memory of a mediasoup worker.',
      labelNames: ['worker', 'pid'],
      registers,
      async collect() {
        this.reset();
        for (const u of await usage()) if (u.ru) this.set(u.labels, u.ru.ru_maxrss * 1024);
      },
    });
    new Gauge({
      name: 'helppoint_mediasoup_worker_up',
      help: '1 while the mediasoup worker is alive.',
      labelNames: ['worker', 'pid'],
      registers,
      collect() {
        this.reset();
        for (const slot of pool.slots) this.set({ worker: String(slot.index), pid: String(slot.worker.pid) }, slot.worker.closed ? 0 : 1);
      },
    });
    const disk = opts.disk;
    if (disk) {
      new Gauge({ name: 'helppoint_media_disk_free_bytes', help: 'Free space on the media (recordings) disk.', registers, collect() { this.set(Number.isFinite(disk.freeBytes) ? disk.freeBytes : 0); } });
      new Gauge({ name: 'helppoint_media_disk_size_bytes', help: 'Size of the media (recordings) disk.', registers, collect() { this.set(disk.sizeBytes); } });
      new Gauge({ name: 'helppoint_recording_paused', help: '1 while recording is stopped because the media disk is nearly full.', registers, collect() { this.set(disk.low ? 1 : 0); } });
    }
    const conns = opts.connections;
    if (conns) {
      new Gauge({ name: 'helppoint_connections_open', help: 'Open client sockets (HTTP and WebSocket).', registers, collect() { this.set(conns.stats().total); } });
      const refused = new Counter({ name: 'helppoint_connections_refused_total', help: 'Sockets refused by the per-address or total connection caps.', registers });
      const timedOut = new Counter({ name: 'helppoint_requests_timed_out_total', help: 'Requests cut off for sending headers or body too slowly.', registers });
      let last = { refused: 0, timedOut: 0 };
      const sync = () => {
        const s = conns.stats();
        refused.inc(Math.max(0, s.refused - last.refused));
        timedOut.inc(Math.max(0, s.timedOut - last.timedOut));
        last = { refused: s.refused, timedOut: s.timedOut };
      };
      this.#sync = sync;
    }
    opts.calls.on('callUpdated', (call: CallView) => this.#onCall(call));
    opts.fleet.on('heartbeatLag', (lagMs: number) => this.#lag.observe(lagMs / 1000));
  }

  #sync: () => void = () => undefined;

  get contentType(): string {
    return this.registry.contentType;
  }

  async render(): Promise<string> {
    this.#sync();
    return this.registry.metrics();
  }

  #onCall(call: CallView): void {
    let seen = this.#seen.get(call.id);
    if (!seen) this.#seen.set(call.id, (seen = new Set()));
    if (call.producers.length > 0 && !seen.has('media')) {
      seen.add('media');
      this.#setup.observe({ stage: 'media' }, (Date.now() - call.createdAt) / 1000);
    }
    if (call.answeredAt !== null && !seen.has('answered')) {
      seen.add('answered');
      this.#setup.observe({ stage: 'answered' }, (call.answeredAt - call.createdAt) / 1000);
    }
    if (call.escalatedAt !== null && !seen.has('escalated')) {
      seen.add('escalated');
      this.#escalated.inc();
    }
    if (call.state === 'ringing' && call.escalatedAt !== null) this.#waitingEscalated.add(call.id);
    else this.#waitingEscalated.delete(call.id);
    if (call.state === 'ended') {
      this.#callsEnded.inc({ outcome: call.endReason ?? 'unknown', answered: String(call.answeredAt !== null) });
      this.#seen.delete(call.id);
    }
  }
}
