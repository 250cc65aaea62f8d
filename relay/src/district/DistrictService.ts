import type { Logger } from 'pino';
import type { NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType, type JetStreamClient } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { Compile } from 'typebox/compile';
import { AppError, Backoff, ErrorCode, TypedEmitter } from '@helppoint/shared';
import {
  DistrictCallEvent,
  DistrictCommandReply,
  PresenceEntry,
  StationEntry,
  type DistrictCallView,
  type DistrictMediaTicket,
  type DistrictPush,
  type DistrictRight,
  type DistrictSnapshot,
  type DistrictTerminalView,
} from '../../../shared/src/protocol/district.ts';
import { ALL_CALL_EVENTS, CALLS_STREAM, PRESENCE_BUCKET, commandSubject, type DistrictCommand } from '../../../shared/src/protocol/districtSubjects.ts';
import type { DistrictCallLog } from './DistrictCallLog.ts';
import type { DistrictRoleConfig } from './districtConfig.ts';
import { DistrictTokenSigner } from './DistrictTokens.ts';
import { NatsLink } from './NatsLink.ts';

const checkPresence = Compile(PresenceEntry);
const checkStation = Compile(StationEntry);
const checkEvent = Compile(DistrictCallEvent);
const checkReply = Compile(DistrictCommandReply);

/** How far back a (re)started district relay rebuilds its open calls from its own log. */
const REBUILD_WINDOW_MS = 24 * 60 * 60_000;
/** How long an escalation already overdue on arrival waits for the rest of a replayed backlog. */
const REPLAY_GRACE_MS = 1000;

export interface DistrictOfficer {
  username: string;
  displayName: string;
}

interface KnownTerminal {
  view: DistrictTerminalView;
  /** District clock when the station last refreshed it (the bucket's TTL counts from there). */
  seenAt: number;
}

/**
 * The district role: everything its stations publish, in memory for the
 * consoles (presence from the KV bucket, calls from the stream through a
 * durable consumer, applied once via DistrictCallLog), the district desk's
 * escalation timer, and commands to the owning station by request/reply.
 */
export class DistrictService extends TypedEmitter<{ push: [DistrictPush]; applied: [DistrictCallEvent] }> {
  readonly #config: DistrictRoleConfig;
  readonly #log: Logger;
  readonly #link: NatsLink;
  readonly #signer: DistrictTokenSigner;
  readonly #callLog: DistrictCallLog;
  readonly #terminals = new Map<string, KnownTerminal>();
  readonly #stations = new Map<string, { entry: StationEntry; seenAt: number }>();
  readonly #calls = new Map<string, DistrictCallView>();
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #sweep: ReturnType<typeof setInterval>;
  #nc: NatsConnection | null = null;
  #closed = false;
  #stopConsume: (() => void) | null = null;
  #stopWatch: (() => void) | null = null;
  readonly ready: Promise<void>;

  constructor(opts: { config: DistrictRoleConfig; callLog: DistrictCallLog; logger: Logger }) {
    super();
    this.#config = opts.config;
    this.#callLog = opts.callLog;
    this.#log = opts.logger.child({ component: 'district', district: opts.config.districtId });
    this.onListenerError = (error, event) => this.#log.error({ err: error, event }, 'district listener failed');
    this.#signer = new DistrictTokenSigner({ privateKeyPem: opts.config.signingKeyPem, issuer: opts.config.districtId, ttlMs: opts.config.tokenTtlMs });
    this.#link = NatsLink.create({ config: opts.config.nats, name: `district-${opts.config.districtId}`, inboxOwner: opts.config.districtId, logger: opts.logger });
    for (const ev of this.#callLog.since(Date.now() - REBUILD_WINDOW_MS)) this.#applyToView(ev, false);
    this.ready = this.#link.ready.then((nc) => this.#startRetrying(nc));
    this.ready.catch((err: unknown) => {
      if (!this.#closed) this.#log.error({ err }, 'district could not start its NATS side');
    });
    this.#sweep = setInterval(() => this.#expire(), 1000);
    this.#sweep.unref?.();
  }

  get publicKeyPem(): string {
    return this.#signer.publicKeyPem;
  }

  get link(): NatsLink {
    return this.#link;
  }

  /** A fresh cluster may not have elected its JetStream leader yet: provisioning is retried until it works. */
  async #startRetrying(nc: NatsConnection): Promise<void> {
    const backoff = new Backoff({ initialMs: 500, maxMs: 5000 });
    for (;;) {
      try {
        return await this.#start(nc);
      } catch (err) {
        if (this.#closed) throw err;
        const delay = backoff.next();
        this.#log.warn({ err, retryInMs: delay }, 'could not provision the district bucket and stream yet');
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  async #start(nc: NatsConnection): Promise<void> {
    this.#nc = nc;
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    const { replicas, presenceTtlMs, districtId } = this.#config;
    const kv = await new Kvm(js).create(PRESENCE_BUCKET, { ttl: presenceTtlMs, replicas, history: 1 });
    const stream = {
      name: CALLS_STREAM,
      subjects: [ALL_CALL_EVENTS],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      num_replicas: replicas,
      max_age: 30 * 24 * 60 * 60 * 1e9,
      // Longer than any retry of one publish; later duplicates (after a long outage) are caught by DistrictCallLog.
      duplicate_window: 10 * 60 * 1e9,
    };
    try {
      await jsm.streams.info(CALLS_STREAM);
    } catch {
      await jsm.streams.add(stream);
    }
    const durable = `district-${districtId}`;
    try {
      await jsm.consumers.info(CALLS_STREAM, durable);
    } catch {
      await jsm.consumers.add(CALLS_STREAM, { durable_name: durable, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, max_ack_pending: 1000, ack_wait: 30e9 });
    }
    if (this.#closed) return;
    void this.#watch(kv);
    void this.#consume(js, durable);
    this.#log.info({ replicas, presenceTtlMs }, 'district federation running');
  }

  async #watch(kv: KV): Promise<void> {
    const iter = await kv.watch({ key: '>' });
    this.#stopWatch = () => iter.stop();
    for await (const e of iter) {
      if (e.operation !== 'PUT') {
        this.#forget(e.key);
        continue;
      }
      let value: unknown;
      try {
        value = e.json();
      } catch {
        this.#log.warn({ key: e.key }, 'presence entry is not JSON: ignored');
        continue;
      }
      this.#onPresence(e.key, value);
    }
  }

  #onPresence(key: string, value: unknown): void {
    const [station] = key.split('.');
    if (key.endsWith('._station')) {
      if (!checkStation.Check(value) || value.station !== station) return this.#log.warn({ key }, 'bad station entry: ignored');
      this.#stations.set(station!, { entry: value, seenAt: Date.now() });
      this.emit('push', { type: 'station', data: value });
      return;
    }
    // The key's station must match the entry's: a station can only write its own keys (NATS permissions), so this holds unless something is wrong.
    if (!checkPresence.Check(value) || value.station !== station || key !== `${station}.${value.terminal.id}`) return this.#log.warn({ key }, 'bad presence entry: ignored');
    const view: DistrictTerminalView = { ...value, key, stale: false };
    const prev = this.#terminals.get(key);
    this.#terminals.set(key, { view, seenAt: Date.now() });
    // Most puts are refreshes that change nothing a console shows: those are not pushed.
    if (prev && !prev.view.stale && sameShown(prev.view, view)) return;
    this.emit('push', { type: 'terminal', data: view });
  }

  #forget(key: string): void {
    const known = this.#terminals.get(key);
    if (!known) return;
    this.#terminals.delete(key);
    this.emit('push', { type: 'terminalGone', data: { key, station: known.view.station, terminalId: known.view.terminal.id } });
  }

  /**
   * The bucket drops entries a station stopped refreshing, but NATS 2.9 sends
   * watchers no marker for that (2.11's per-key TTL markers would): the
   * district applies the same TTL itself and shows those terminals as
   * unknown/offline ("station not reporting").
   */
  #expire(): void {
    const cutoff = Date.now() - this.#config.presenceTtlMs;
    for (const known of this.#terminals.values()) {
      if (known.seenAt >= cutoff || known.view.stale) continue;
      known.view = { ...known.view, stale: true, status: 'offline' };
      this.emit('push', { type: 'terminal', data: known.view });
    }
  }

  async #consume(js: JetStreamClient, durable: string): Promise<void> {
    const consumer = await js.consumers.get(CALLS_STREAM, durable);
    // Short pulls: a pull request held by a NATS node that dies is only noticed after two missed idle
    // heartbeats (half the pull's expiry each). With the 30 s default a node failure froze the district
    // desk for up to a minute; 5 s pulls re-pull within ~5 s.
    const iter = await consumer.consume({ max_messages: 200, expires: 5000 });
    this.#stopConsume = () => void iter.close();
    for await (const m of iter) {
      let ev: unknown;
      try {
        ev = m.json();
      } catch {
        ev = null;
      }
      // The subject says which station sent it (NATS enforced); the payload must agree.
      const subjectStation = m.subject.split('.')[2];
      if (!checkEvent.Check(ev) || ev.station !== subjectStation) {
        this.#log.warn({ subject: m.subject }, 'bad call event: dropped');
        m.term();
        continue;
      }
      if (this.#callLog.apply(ev)) {
        this.#applyToView(ev, true);
        this.emit('applied', ev);
      }
      m.ack();
    }
  }

  #applyToView(ev: DistrictCallEvent, live: boolean): void {
    const key = `${ev.station}/${ev.callId}`;
    const prev = this.#calls.get(key);
    const call: DistrictCallView = prev ?? {
      station: ev.station,
      callId: ev.callId,
      terminal: ev.terminal,
      state: 'ringing',
      kind: ev.kind,
      createdAt: ev.createdAt,
      answeredBy: null,
      endReason: null,
      escalatedAt: null,
      districtRinging: false,
      dispatched: false,
    };
    if (ev.type === 'answered' && call.state !== 'ended') Object.assign(call, { state: 'answered', answeredBy: ev.answeredBy, districtRinging: false });
    if (ev.type === 'escalated') call.escalatedAt = ev.at;
    if (ev.type === 'dispatched') call.dispatched = true;
    if (ev.type === 'ended') Object.assign(call, { state: 'ended', endReason: ev.endReason, districtRinging: false });
    if (call.state === 'ended') {
      this.#calls.delete(key);
      this.#clearTimer(key);
    } else {
      this.#calls.set(key, call);
      if (call.state === 'ringing') this.#armEscalation(key, call);
      else this.#clearTimer(key);
    }
    if (live) this.emit('push', { type: 'call', data: call });
  }

  /** Unanswered at its station this long after the press: the district desk rings too. */
  #armEscalation(key: string, call: DistrictCallView): void {
    if (this.#timers.has(key) || call.districtRinging) return;
    // Already overdue means the call arrived late (a station back from an outage replays its backlog): wait a
    // moment for the rest of that backlog, so a call answered and ended meanwhile does not ring the desk first.
    const overdueBy = Date.now() - (call.createdAt + this.#config.escalateAfterMs);
    const due = overdueBy >= 0 ? REPLAY_GRACE_MS : -overdueBy;
    const t = setTimeout(() => {
      this.#timers.delete(key);
      const current = this.#calls.get(key);
      if (!current || current.state !== 'ringing') return;
      current.districtRinging = true;
      this.#log.warn({ station: current.station, callId: current.callId, terminalId: current.terminal.id }, 'unanswered at its station: ringing the district desk');
      this.emit('push', { type: 'call', data: current });
    }, due);
    t.unref?.();
    this.#timers.set(key, t);
  }

  #clearTimer(key: string): void {
    const t = this.#timers.get(key);
    if (t) clearTimeout(t);
    this.#timers.delete(key);
  }

  /** The WebSocket origins of every known station: a district officer's browser opens its media socket there (CSP connect-src). */
  stationSocketOrigins(): string[] {
    const origins = new Set<string>();
    for (const { entry } of this.#stations.values()) {
      try {
        const u = new URL(entry.publicUrl);
        origins.add(`${u.protocol === 'https:' ? 'wss:' : 'ws:'}//${u.host}`);
      } catch {
        // a station without a usable public URL cannot be reached for media anyway
      }
    }
    return [...origins];
  }

  snapshot(): DistrictSnapshot {
    return {
      stations: [...this.#stations.values()].map((s) => s.entry),
      terminals: [...this.#terminals.values()].map((t) => t.view),
      calls: [...this.#calls.values()],
      escalateAfterMs: this.#config.escalateAfterMs,
    };
  }

  /** How many events of each type the district applied for one call (each should be 1). */
  eventCounts(station: string, callId: string): Record<string, number> {
    return this.#callLog.eventCounts(station, callId);
  }

  call(station: string, callId: string): DistrictCallView | undefined {
    return this.#calls.get(`${station}/${callId}`);
  }

  /** Answers at the owning station (its answer race decides); returns how to reach the call's media there. */
  async answer(station: string, callId: string, officer: DistrictOfficer): Promise<DistrictMediaTicket> {
    return this.#command(station, 'answer', { callId }, officer, 'calls.answer');
  }

  async lookin(station: string, terminalId: string, officer: DistrictOfficer): Promise<DistrictMediaTicket> {
    return this.#command(station, 'lookin', { terminalId }, officer, 'camera.lookin');
  }

  async hangup(station: string, callId: string, officer: DistrictOfficer): Promise<void> {
    await this.#command(station, 'hangup', { callId }, officer, 'calls.answer');
  }

  async #command(station: string, command: DistrictCommand, body: Record<string, string>, officer: DistrictOfficer, right: DistrictRight): Promise<DistrictMediaTicket> {
    const nc = this.#nc;
    if (!nc || !this.#link.isUp) throw new AppError(ErrorCode.StationUnreachable, 'the district is not connected to NATS');
    if (!/^[a-z0-9][a-z0-9-]{0,31}$/.test(station)) throw new AppError(ErrorCode.UnknownStation, `no station ${station}`);
    const token = this.#signer.sign(officer, station, [right]);
    let raw: unknown;
    try {
      const msg = await nc.request(commandSubject(station, command), JSON.stringify({ ...body, token }), { timeout: 5000 });
      raw = msg.json();
    } catch (err) {
      this.#log.warn({ err, station, command }, 'station did not answer the district');
      throw new AppError(ErrorCode.StationUnreachable, `station ${station} is not reachable`);
    }
    if (!checkReply.Check(raw)) throw new AppError(ErrorCode.Internal, `station ${station} sent a bad reply`);
    if (!raw.ok) throw new AppError(raw.error.code as ErrorCode, raw.error.message);
    this.#log.info({ station, command, officer: officer.username, ...body }, 'district command done at the station');
    return raw.media;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#sweep);
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    this.#stopConsume?.();
    this.#stopWatch?.();
    await this.#link.close();
  }
}

function sameShown(a: DistrictTerminalView, b: DistrictTerminalView): boolean {
  return a.status === b.status && a.terminal.lastSeenAt === b.terminal.lastSeenAt && JSON.stringify(a.health) === JSON.stringify(b.health) && a.terminal.name === b.terminal.name;
}
