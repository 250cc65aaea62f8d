import type { Logger } from 'pino';
import { TypedEmitter, type AlarmView, type FleetEntry, type SelfTestReport, type TerminalHealth } from '@helppoint/shared';
import type { HealthRepo } from '../db/HealthRepo.ts';
import type { TerminalRepo } from '../db/TerminalRepo.ts';
import type { TerminalPresence, TerminalSession } from '../presence/TerminalPresence.ts';

export interface FleetServiceOptions {
  health: HealthRepo;
  terminals: TerminalRepo;
  presence: TerminalPresence;
  logger: Logger;
  heartbeatIntervalMs: number;
  /** How often raw samples are folded into buckets. */
  compactEveryMs?: number;
  now?: () => number;
}

interface Known {
  lastHeartbeatAt: number | null;
  heartbeatLagMs: number | null;
  health: TerminalHealth | null;
  alarm: AlarmView | null;
  lastSelfTest: SelfTestReport | null;
  /** When the terminal went offline, to log how long it was away. */
  offlineSince: number | null;
  /** The previous heartbeat on the current connection; lag is only measured within one. */
  sessionBeatAt: number | null;
}

export interface FleetEvents {
  /** Anything on a terminal's fleet row changed. */
  updated: [FleetEntry];
  /** One heartbeat arrived this late (ms past the expected interval; 0 when on time). */
  heartbeatLag: [number];
}

/**
 * What field staff see: per terminal, online state, the last heartbeat and
 * its health report, the open alarm and the last self-test. The latest
 * values live in memory (seeded from SQLite at start, so a restarted relay
 * still shows last-known readings); history goes to HealthRepo.
 */
export class FleetService extends TypedEmitter<FleetEvents> {
  readonly #opts: FleetServiceOptions;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #known = new Map<string, Known>();
  readonly #compactTimer: ReturnType<typeof setInterval>;

  constructor(opts: FleetServiceOptions) {
    super();
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
    this.#log = opts.logger.child({ component: 'fleet' });
    this.onListenerError = (error, event) => this.#log.error({ err: error, event }, 'fleet listener failed');
    const { health, presence } = opts;
    for (const s of health.latestSamples()) Object.assign(this.#entry(s.terminalId), { lastHeartbeatAt: s.at, health: s.health });
    for (const [id, report] of health.lastSelfTests()) this.#entry(id).lastSelfTest = report;
    for (const [id, alarm] of health.latestAlarms()) this.#entry(id).alarm = alarm;
    if (health.staleRows > 0) this.#log.warn({ staleRows: health.staleRows }, 'stored health or self-test rows no longer match the schema: shown as unknown until the terminals report again');
    presence.on('online', (s: TerminalSession) => this.#online(s.terminalId));
    presence.on('offline', (terminalId: string, at: number) => this.#offline(terminalId, at));
    this.#compactTimer = setInterval(() => this.compact(), opts.compactEveryMs ?? 5 * 60_000);
    this.#compactTimer.unref?.();
  }

  /** A heartbeat from a connected terminal; health is absent from older kiosks. */
  heartbeat(terminalId: string, health: TerminalHealth | undefined): void {
    const at = this.#now();
    const k = this.#entry(terminalId);
    if (k.sessionBeatAt !== null) {
      const lag = Math.max(0, at - k.sessionBeatAt - this.#opts.heartbeatIntervalMs);
      k.heartbeatLagMs = lag;
      this.emit('heartbeatLag', lag);
    }
    k.lastHeartbeatAt = at;
    k.sessionBeatAt = at;
    if (health) {
      k.health = health;
      this.#opts.health.recordSample(terminalId, at, health);
    }
    this.#publish(terminalId);
  }

  selfTest(terminalId: string, report: SelfTestReport): void {
    this.#opts.health.addSelfTest(terminalId, report);
    this.#entry(terminalId).lastSelfTest = report;
    const failed = report.lines.filter((l) => l.status === 'fail').map((l) => l.check);
    if (report.passed) this.#log.info({ terminalId, trigger: report.trigger }, 'self-test passed');
    else this.#log.warn({ terminalId, trigger: report.trigger, failed }, 'self-test FAILED');
    this.#publish(terminalId);
  }

  alarm(terminalId: string, kind: 'tamper', active: boolean): void {
    const { alarm, changed } = this.#opts.health.setAlarm(terminalId, kind, active, this.#now());
    this.#entry(terminalId).alarm = alarm;
    if (!changed) return;
    if (active) this.#log.warn({ terminalId, kind }, 'ALARM raised: enclosure opened');
    else this.#log.info({ terminalId, kind, openForMs: (alarm.clearedAt ?? 0) - alarm.raisedAt }, 'alarm cleared: enclosure closed');
    this.#publish(terminalId);
  }

  entries(): FleetEntry[] {
    return this.#opts.terminals.list().map((t) => this.entry(t.id));
  }

  entry(terminalId: string): FleetEntry {
    const k = this.#known.get(terminalId);
    return {
      terminalId,
      online: this.#opts.presence.isOnline(terminalId),
      lastHeartbeatAt: k?.lastHeartbeatAt ?? null,
      heartbeatLagMs: k?.heartbeatLagMs ?? null,
      health: k?.health ?? null,
      alarm: k?.alarm ?? null,
      lastSelfTest: k?.lastSelfTest ?? null,
    };
  }

  compact(): void {
    try {
      const r = this.#opts.health.compact(this.#now());
      if (r.folded || r.droppedBuckets) this.#log.debug(r, 'health history compacted');
    } catch (err) {
      this.#log.error({ err }, 'health history compaction failed');
    }
  }

  close(): void {
    clearInterval(this.#compactTimer);
    // Writes what is queued and waits for the writer thread to commit it (the drain blocks), then stops that thread.
    this.#opts.health.close().catch((err: unknown) => this.#log.error({ err }, 'could not write the last health samples'));
  }

  #online(terminalId: string): void {
    const k = this.#entry(terminalId);
    if (k.offlineSince !== null) {
      this.#log.info({ terminalId, offlineForS: Math.round((this.#now() - k.offlineSince) / 1000) }, 'terminal back online');
    }
    k.offlineSince = null;
    k.heartbeatLagMs = null;
    k.sessionBeatAt = null;
    this.#publish(terminalId);
  }

  #offline(terminalId: string, at: number): void {
    const k = this.#entry(terminalId);
    k.offlineSince = at;
    k.sessionBeatAt = null;
    this.#log.warn({ terminalId, lastHeartbeatAt: k.lastHeartbeatAt, silentForMs: k.lastHeartbeatAt ? at - k.lastHeartbeatAt : null }, 'terminal OFFLINE');
    this.#publish(terminalId);
  }

  #entry(terminalId: string): Known {
    let k = this.#known.get(terminalId);
    if (!k) {
      k = { lastHeartbeatAt: null, heartbeatLagMs: null, health: null, alarm: null, lastSelfTest: null, offlineSince: null, sessionBeatAt: null };
      this.#known.set(terminalId, k);
    }
    return k;
  }

  #publish(terminalId: string): void {
    this.emit('updated', this.entry(terminalId));
  }
}
