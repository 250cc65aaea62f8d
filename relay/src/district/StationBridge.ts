import type { Logger } from 'pino';
import type { Msg, NatsConnection } from '@nats-io/transport-node';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { AppError, ErrorCode, TypedEmitter, type CallView, type FleetEntry } from '@helppoint/shared';
import type { DistrictCallEvent, DistrictCallEventType, DistrictHealthSummary, DistrictTerminalStatus, PresenceEntry, StationEntry } from '../../../shared/src/protocol/district.ts';
import { PRESENCE_BUCKET, callEventSubject, commandSubjects, presenceKey, stationKey } from '../../../shared/src/protocol/districtSubjects.ts';
import type { CallService } from '../calls/CallService.ts';
import type { TerminalRepo } from '../db/TerminalRepo.ts';
import type { FleetService } from '../fleet/FleetService.ts';
import type { TerminalPresence } from '../presence/TerminalPresence.ts';
import type { StationLinkConfig } from './districtConfig.ts';
import { DistrictOutbox } from './DistrictOutbox.ts';
import { NatsLink } from './NatsLink.ts';
import { districtChangeKey } from './presenceChange.ts';
import type { StationCommands } from './StationCommands.ts';

/** What the station last told the district about one call, so each event type goes out once. */
interface Sent {
  types: Set<DistrictCallEventType>;
}

export interface StationBridgeOptions {
  config: StationLinkConfig;
  calls: CallService;
  terminals: TerminalRepo;
  presence: TerminalPresence;
  fleet: FleetService;
  outbox: DistrictOutbox;
  commands: StationCommands;
  /** Where district consoles reach this relay. */
  publicUrl: () => string;
  logger: Logger;
}

export interface StationBridgeEvents {
  /** An outbox event reached JetStream (tests and metrics watch this). */
  delivered: [msgId: string];
}

/**
 * The station's side of district federation. The station never waits for
 * it: presence is written to the KV bucket best-effort (refreshed so entries
 * live only while the station does), call events go through the SQLite
 * outbox and are published with their Nats-Msg-Id, and district commands
 * arrive by request/reply and are handed to StationCommands, which uses the
 * station's own answer race.
 */
export class StationBridge extends TypedEmitter<StationBridgeEvents> {
  readonly #opts: StationBridgeOptions;
  readonly #log: Logger;
  readonly #link: NatsLink;
  readonly #sent = new Map<string, Sent>();
  readonly #dirty = new Set<string>();
  #kv: KV | null = null;
  #js: JetStreamClient | null = null;
  #flushTimer: ReturnType<typeof setTimeout> | null = null;
  #refreshTimer: ReturnType<typeof setInterval> | null = null;
  #drainTimer: ReturnType<typeof setTimeout> | null = null;
  #draining = false;
  #closed = false;
  /** The last districtChangeKey seen per terminal. */
  readonly #lastKeys = new Map<string, string>();

  private constructor(opts: StationBridgeOptions) {
    super();
    this.#opts = opts;
    this.#log = opts.logger.child({ component: 'station-bridge', station: opts.config.stationId });
    this.onListenerError = (error, event) => this.#log.error({ err: error, event }, 'bridge listener failed');
    this.#link = NatsLink.create({ config: opts.config.nats, name: `station-${opts.config.stationId}`, inboxOwner: opts.config.stationId, logger: opts.logger });
  }

  static create(opts: StationBridgeOptions): StationBridge {
    const b = new StationBridge(opts);
    b.#wire();
    return b;
  }

  get link(): NatsLink {
    return this.#link;
  }

  get pendingEvents(): number {
    return this.#opts.outbox.pendingCount;
  }

  #wire(): void {
    const { calls, presence, fleet } = this.#opts;
    calls.on('callUpdated', (view) => this.#onCall(view));
    presence.on('online', (s) => this.#mark(s.terminalId));
    presence.on('offline', (terminalId) => this.#mark(terminalId));
    // A heartbeat alone changes nothing the district shows: only a change it would notice is published at once.
    fleet.on('updated', (entry) => {
      const key = districtChangeKey(entry);
      if (this.#lastKeys.get(entry.terminalId) === key) return;
      this.#lastKeys.set(entry.terminalId, key);
      this.#mark(entry.terminalId);
    });
    this.#link.on('up', () => {
      this.#refreshAll();
      this.#kickDrain(0);
    });
    void this.#link.ready.then((nc) => this.#attach(nc)).catch(() => undefined);
    const every = Math.max(500, Math.floor(this.#opts.config.presenceTtlMs / 3));
    this.#refreshTimer = setInterval(() => this.#refreshAll(), every);
    this.#refreshTimer.unref?.();
    // Events recorded while a previous run could not reach NATS go out now.
    this.#kickDrain(0);
  }

  async #attach(nc: NatsConnection): Promise<void> {
    this.#js = jetstream(nc);
    this.#kv = await new Kvm(this.#js).open(PRESENCE_BUCKET);
    nc.subscribe(commandSubjects(this.#opts.config.stationId), {
      callback: (err, msg) => {
        if (err) {
          this.#log.error({ err }, 'district command subscription failed');
          return;
        }
        void this.#onCommand(msg);
      },
    });
    this.#refreshAll();
    this.#kickDrain(0);
  }

  // ---- presence ---------------------------------------------------------------

  #mark(terminalId: string): void {
    this.#dirty.add(terminalId);
    // Coalesce bursts (a reconnect storm) into one flush; the map must still move within a second.
    this.#flushTimer ??= setTimeout(() => {
      this.#flushTimer = null;
      void this.#flush([...this.#dirty]);
      this.#dirty.clear();
    }, 50);
  }

  #refreshAll(): void {
    if (!this.#kv || this.#closed) return;
    void this.#flush(this.#opts.terminals.list().map((t) => t.id), true);
  }

  async #flush(ids: string[], withStation = ids.length > 0): Promise<void> {
    const kv = this.#kv;
    if (!kv || !this.#link.isUp || this.#closed) return;
    const { stationId } = this.#opts.config;
    const open = new Map<string, CallView>();
    for (const c of this.#opts.calls.openCalls()) if (c.kind !== 'lookin' || !open.has(c.terminal.id)) open.set(c.terminal.id, c);
    const puts: Promise<unknown>[] = [];
    for (const id of ids) {
      const entry = this.#presenceEntry(id, open.get(id));
      if (entry) puts.push(kv.put(presenceKey(stationId, id), JSON.stringify(entry)));
    }
    if (withStation) puts.push(kv.put(stationKey(stationId), JSON.stringify(this.#stationEntry(open.size))));
    const results = await Promise.allSettled(puts);
    const failed = results.filter((r) => r.status === 'rejected');
    // Presence is refreshed anyway: a failed put is only worth a debug line.
    if (failed.length) this.#log.debug({ failed: failed.length, reason: String((failed[0] as PromiseRejectedResult).reason) }, 'presence puts failed');
  }

  #presenceEntry(terminalId: string, call: CallView | undefined): PresenceEntry | null {
    const t = this.#opts.terminals.get(terminalId);
    if (!t) return null;
    const view = this.#opts.calls.terminalView(t);
    let status: DistrictTerminalStatus = view.online ? 'online' : 'offline';
    if (call?.state === 'ringing') status = 'ringing';
    else if (call?.state === 'answered') status = 'in_call';
    return { v: 1, station: this.#opts.config.stationId, terminal: view, status, health: healthSummary(this.#opts.fleet.entry(terminalId)), at: Date.now() };
  }

  #stationEntry(openCalls: number): StationEntry {
    const { config, terminals, presence } = this.#opts;
    return { v: 1, station: config.stationId, name: config.stationName, publicUrl: safeUrl(this.#opts.publicUrl), terminals: terminals.list().length, online: presence.size, openCalls, at: Date.now() };
  }

  // ---- call events --------------------------------------------------------------

  #onCall(view: CallView): void {
    if (view.kind === 'lookin') {
      this.#mark(view.terminal.id);
      return;
    }
    const sent = this.#sent.get(view.id) ?? { types: new Set<DistrictCallEventType>() };
    this.#sent.set(view.id, sent);
    const due: DistrictCallEventType[] = [];
    if (!sent.types.has('created')) due.push('created');
    if (view.state === 'ringing' && !sent.types.has('ringing')) due.push('ringing');
    if (view.escalatedAt !== null && !sent.types.has('escalated')) due.push('escalated');
    if (view.answeredAt !== null && !sent.types.has('answered')) due.push('answered');
    if (view.state === 'ended' && !sent.types.has('ended')) due.push('ended');
    for (const type of due) {
      sent.types.add(type);
      const at = type === 'created' || type === 'ringing' ? view.createdAt : type === 'answered' ? (view.answeredAt ?? Date.now()) : type === 'ended' ? (view.endedAt ?? Date.now()) : (view.escalatedAt ?? Date.now());
      this.#record(view, type, at);
    }
    if (view.state === 'ended') this.#sent.delete(view.id);
    this.#mark(view.terminal.id);
  }

  /** A call that ended without a callUpdated (closed as stale at start-up). */
  recordEnded(view: CallView): void {
    if (view.kind !== 'lookin') this.#record(view, 'ended', view.endedAt ?? Date.now());
  }

  /**
   * A call event for the district. `dispatched` (issue 13: a responder was sent)
   * comes through here too, called by the dispatch service when it exists.
   */
  recordDispatched(view: CallView, detail: Record<string, unknown>): void {
    this.#record(view, 'dispatched', Date.now(), detail);
  }

  #record(view: CallView, type: DistrictCallEventType, at: number, detail?: Record<string, unknown>): void {
    const { stationId } = this.#opts.config;
    const ev: DistrictCallEvent = {
      v: 1,
      id: `${view.id}:${type}`,
      station: stationId,
      type,
      callId: view.id,
      at,
      createdAt: view.createdAt,
      kind: view.kind,
      terminal: view.terminal,
      answeredBy: view.answeredBy ? { displayName: view.answeredBy.displayName, fromDistrict: this.#opts.commands.isDistrictUser(view.answeredBy.id) } : null,
      endReason: view.endReason,
      ...(detail ? { detail } : {}),
    };
    this.#opts.outbox.add(ev.id, callEventSubject(stationId, type), ev);
    this.#kickDrain(0);
  }

  #kickDrain(delayMs: number): void {
    if (this.#closed || this.#drainTimer) return;
    this.#drainTimer = setTimeout(() => {
      this.#drainTimer = null;
      void this.#drain();
    }, delayMs);
  }

  /** Oldest first; stops at the first failure and tries again later (or when the link comes back). */
  async #drain(): Promise<void> {
    const js = this.#js;
    if (!js || !this.#link.isUp || this.#draining || this.#closed) return;
    this.#draining = true;
    try {
      for (;;) {
        const rows = this.#opts.outbox.pending(100);
        if (!rows.length) return;
        for (const row of rows) {
          try {
            const ack = await js.publish(row.subject, row.payload, { msgID: row.msgId, timeout: 5000 });
            this.#opts.outbox.markSent(row.id);
            if (ack.duplicate) this.#log.info({ msgId: row.msgId }, 'district already had this event (dedup)');
            this.emit('delivered', row.msgId);
          } catch (err) {
            this.#opts.outbox.markTried(row.id);
            this.#log.warn({ err, msgId: row.msgId, pending: this.#opts.outbox.pendingCount }, 'call event not delivered yet: kept in the outbox');
            this.#kickDrain(2000);
            return;
          }
          if (this.#closed) return;
        }
      }
    } finally {
      this.#draining = false;
    }
  }

  // ---- commands ---------------------------------------------------------------------

  async #onCommand(msg: Msg): Promise<void> {
    const command = msg.subject.split('.').at(-1) ?? '';
    let reply: unknown;
    try {
      let body: unknown;
      try {
        body = msg.json();
      } catch {
        throw new AppError(ErrorCode.BadJson, 'command is not JSON');
      }
      reply = await this.#opts.commands.handle(command, body);
    } catch (error) {
      const e = error instanceof AppError ? error : new AppError(ErrorCode.Internal, 'internal error');
      if (!(error instanceof AppError)) this.#log.error({ err: error, command }, 'district command failed');
      reply = { ok: false, error: { code: e.code, message: e.message } };
    }
    if (msg.reply) msg.respond(JSON.stringify(reply));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of [this.#flushTimer, this.#drainTimer]) if (t) clearTimeout(t);
    if (this.#refreshTimer) clearInterval(this.#refreshTimer);
    await this.#link.close();
  }
}

function healthSummary(entry: FleetEntry): DistrictHealthSummary | null {
  const h = entry.health;
  if (!h && !entry.lastSelfTest && !entry.alarm) return null;
  const frameAgo = h?.camera.lastFrameAgoS ?? null;
  return {
    cameraOk: h ? frameAgo !== null && frameAgo < 30 : null,
    cpuTempC: h?.cpuTempC ?? null,
    rssiDbm: h?.lte?.rssiDbm ?? null,
    version: h?.version ?? null,
    alarms: entry.alarm?.active ? [entry.alarm.kind] : [],
    lastSelfTestPassed: entry.lastSelfTest?.passed ?? null,
  };
}

export { DistrictOutbox };

/** The relay's URL, or '' before it listens (the next refresh carries it). */
function safeUrl(get: () => string): string {
  try {
    return get();
  } catch {
    return '';
  }
}
