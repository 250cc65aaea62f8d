import type { Logger } from 'pino';
import {
  AppError,
  ErrorCode,
  TypedEmitter,
  type CallView,
  type CandidateView,
  type DispatchView,
  type JobView,
  type ResponderJobStatus,
  type ResponderView,
} from '@helppoint/shared';
import type { CallService } from '../calls/CallService.ts';
import type { AuditRepo } from '../db/AuditRepo.ts';
import type { CallMediaRepo } from '../db/CallMediaRepo.ts';
import { actorOf, type CallRepo } from '../db/CallRepo.ts';
import type { DispatchRecord, DispatchRepo } from '../db/DispatchRepo.ts';
import type { ResponderRecord, ResponderRepo } from '../db/ResponderRepo.ts';
import type { TerminalRepo } from '../db/TerminalRepo.ts';
import type { UserRepo } from '../db/UserRepo.ts';
import type { TerminalPresence } from '../presence/TerminalPresence.ts';
import { ALLOWED_FROM } from '../db/DispatchRepo.ts';
import type { AlleyNetwork } from './AlleyNetwork.ts';
import { checkPosition } from './positionCheck.ts';

export interface DispatchTimings {
  /** A dispatch not accepted within this long alerts the desk to pick another unit. */
  escalateAfterMs: number;
  /** Dispatch stays possible this long after a call ended (the officer hung up, then sends someone). */
  dispatchAfterEndMs: number;
  /** Position history older than this is deleted. */
  positionRetentionMs: number;
  /** Positions closer together than this are refused (the phone reports every few seconds). */
  positionMinIntervalMs: number;
  /** Faster than this between two reports is not a person on foot or a scooter: refused. */
  maxSpeedKmh: number;
}

export interface DispatchServiceEvents {
  dispatchUpdated: [DispatchView];
  responderUpdated: [ResponderView];
  /** What one responder's phone should show for one job. */
  jobUpdated: [responderId: number, job: JobView];
}

export interface DispatchDeps {
  dispatches: DispatchRepo;
  responders: ResponderRepo;
  users: UserRepo;
  callRepo: CallRepo;
  terminals: TerminalRepo;
  media: CallMediaRepo;
  calls: CallService;
  presence: TerminalPresence;
  audit: AuditRepo;
  network: AlleyNetwork;
  timings: DispatchTimings;
  now: () => number;
}

export interface DeskUser {
  id: number;
  username: string;
  displayName: string;
  role: string;
}

/** Roles that may dispatch to (or cancel) a call another officer has. */
const OVERSEERS = new Set(['supervisor', 'admin']);

/**
 * Sending responders to calls: ranking on-duty responders by walking distance,
 * assigning, each responder's job status, escalation when nobody accepts, and
 * positions (only while on duty, retention-deleted). State lives in SQLite;
 * timers in memory (re-armed at start-up).
 */
export class DispatchService extends TypedEmitter<DispatchServiceEvents> {
  readonly #o: DispatchDeps;
  readonly #log: Logger;
  readonly #escalations = new Map<number, ReturnType<typeof setTimeout>>();
  /** The talk-button producer of each responder's open job (dispatch id → producer id). */
  readonly #talkProducers = new Map<number, string>();
  #sweep: ReturnType<typeof setInterval> | null = null;
  readonly #onCallUpdated = (call: CallView): void => this.#callChanged(call);

  constructor(opts: Omit<DispatchDeps, 'now'> & { logger: Logger; now?: () => number }) {
    super();
    this.#o = { ...opts, now: opts.now ?? Date.now };
    this.#log = opts.logger.child({ component: 'dispatch' });
    this.onListenerError = (error, event) => this.#log.error({ err: error, event }, 'dispatch listener failed');
    opts.calls.on('callUpdated', this.#onCallUpdated);
    for (const d of opts.dispatches.open()) if (d.status === 'assigned' && d.escalatedAt === null) this.#armEscalation(d);
    this.sweepPositions();
    this.#sweep = setInterval(() => this.sweepPositions(), Math.min(3_600_000, Math.max(60_000, opts.timings.positionRetentionMs / 24)));
    this.#sweep.unref?.();
  }

  get escalateAfterMs(): number {
    return this.#o.timings.escalateAfterMs;
  }

  // ---- responders ----

  responderView(r: ResponderRecord): ResponderView {
    const open = this.#o.dispatches.openOf(r.userId)[0];
    return {
      id: r.userId,
      username: r.username,
      displayName: r.displayName,
      unitName: r.unitName,
      kind: r.kind,
      onDuty: r.onDuty,
      position: r.onDuty ? r.position : null,
      status: open?.status ?? 'free',
      callId: open?.callId ?? null,
    };
  }

  responders(): ResponderView[] {
    return this.#o.responders.list().filter((r) => !r.disabled).map((r) => this.responderView(r));
  }

  /** The responder record of a signed-in responder; refused when the account has no profile. */
  responderOf(userId: number): ResponderRecord {
    const r = this.#o.responders.get(userId);
    if (r) return r;
    // An account made a responder on the accounts page has no profile yet: start one
    // under its display name as a volunteer until an admin sets the unit and kind.
    const u = this.#o.users.get(userId);
    if (!u || u.role !== 'responder') throw new AppError(ErrorCode.ResponderNotFound, 'this account is not a responder');
    this.#log.info({ responderId: userId }, 'responder profile started with defaults (unit = display name, kind volunteer)');
    return this.#o.responders.setProfile(userId, u.displayName.slice(0, 64) || u.username, 'volunteer');
  }

  setDuty(userId: number, onDuty: boolean): ResponderView {
    const r = this.responderOf(userId);
    if (!onDuty && this.#o.dispatches.openOf(userId).length) {
      throw new AppError(ErrorCode.ResponderBusy, 'finish or refuse your open job before going off duty');
    }
    this.#o.responders.setDuty(userId, onDuty, this.#o.now());
    this.#log.info({ responderId: userId, unit: r.unitName, onDuty }, onDuty ? 'responder on duty' : 'responder off duty: position cleared');
    return this.#publishResponder(userId);
  }

  reportPosition(userId: number, p: { latitude: number; longitude: number; accuracyM?: number | undefined }): ResponderView {
    const r = this.responderOf(userId);
    if (!r.onDuty) throw new AppError(ErrorCode.ResponderOffDuty, 'positions are only taken while on duty');
    const at = this.#o.now();
    checkPosition(p, r.position, at, this.#o.timings);
    if (!this.#o.responders.recordPosition(userId, { latitude: p.latitude, longitude: p.longitude, accuracyM: p.accuracyM ?? null, at })) {
      throw new AppError(ErrorCode.ResponderOffDuty, 'positions are only taken while on duty');
    }
    return this.#publishResponder(userId);
  }

  sweepPositions(): number {
    const n = this.#o.responders.deleteOlderThan(this.#o.now() - this.#o.timings.positionRetentionMs);
    if (n) this.#log.info({ deleted: n }, 'responder position history past retention deleted');
    return n;
  }

  // ---- the desk ----

  /** On-duty responders nearest the call's terminal first. Reading positions is audited by the caller. */
  candidates(callId: string): CandidateView[] {
    const call = this.#o.callRepo.get(callId);
    if (!call) throw new AppError(ErrorCode.CallNotFound, `no call ${callId}`);
    const t = this.#o.terminals.get(call.terminalId);
    if (!t) throw new AppError(ErrorCode.UnknownTerminal, `terminal ${call.terminalId} is not registered`);
    const now = this.#o.now();
    const rows: CandidateView[] = this.#o.responders
      .list()
      .filter((r) => r.onDuty && !r.disabled)
      .map((r) => {
        const d = r.position ? this.#o.network.distance(r.position, t) : null;
        return {
          responder: this.responderView(r),
          distanceM: d ? Math.round(d.metres) : null,
          method: d ? d.method : 'unknown',
          positionAgeMs: r.position ? Math.max(0, now - r.position.at) : null,
        };
      });
    // Free units first, then by distance; units with no position last.
    const free = (c: CandidateView) => (c.responder.status === 'free' ? 0 : 1);
    return rows.sort((a, b) => free(a) - free(b) || (a.distanceM ?? Infinity) - (b.distanceM ?? Infinity) || a.responder.id - b.responder.id);
  }

  dispatch(callId: string, responderIds: number[], by: DeskUser): DispatchView[] {
    const { callRepo, dispatches, responders } = this.#o;
    const call = callRepo.get(callId);
    if (!call) throw new AppError(ErrorCode.CallNotFound, `no call ${callId}`);
    const now = this.#o.now();
    if (call.endedAt !== null && (call.endReason === 'missed' ? false : now - call.endedAt > this.#o.timings.dispatchAfterEndMs)) {
      throw new AppError(ErrorCode.CallEnded, 'the call ended too long ago to dispatch from it; open a new incident');
    }
    if (call.answeredBy !== null && call.answeredBy !== by.id && !OVERSEERS.has(by.role)) {
      throw new AppError(ErrorCode.NotYourCall, 'another officer has this call; only they or a supervisor may dispatch to it');
    }
    const terminal = this.#o.terminals.get(call.terminalId)!;
    const inputs = responderIds.map((id) => {
      const r = responders.get(id);
      if (!r || r.disabled) throw new AppError(ErrorCode.ResponderNotFound, `no responder ${id}`, { responderId: id });
      if (!r.onDuty) throw new AppError(ErrorCode.ResponderOffDuty, `${r.unitName} is off duty`, { responderId: id });
      const busy = dispatches.openOf(id).find((d) => d.callId !== callId);
      if (busy) throw new AppError(ErrorCode.ResponderBusy, `${r.unitName} is on another job`, { responderId: id, callId: busy.callId });
      const d = r.position ? this.#o.network.distance(r.position, terminal) : null;
      return { callId, responderId: id, dispatchedBy: by.id, distanceM: d ? Math.round(d.metres) : null, at: now };
    });
    const firstDispatch = dispatches.forCall(callId).length === 0;
    const made = dispatches.createMany(inputs);
    const log = this.#log.child({ callId, terminalId: call.terminalId });
    for (const d of made) {
      callRepo.addEvent(callId, 'dispatched', actorOf.user(by.id), { dispatchId: d.id, responderId: d.responderId, distanceM: d.distanceM }, now);
      this.#armEscalation(d);
      log.info({ dispatchId: d.id, responderId: d.responderId, distanceM: d.distanceM, by: by.username }, 'responder dispatched');
    }
    // The resident hears that someone is coming (once per call).
    if (firstDispatch) this.#o.presence.get(call.terminalId)?.send('call.helpDispatched', { callId });
    const views = made.map((d) => this.#publish(d));
    for (const d of made) this.#publishResponder(d.responderId);
    return views;
  }

  cancel(dispatchId: number, by: DeskUser): DispatchView {
    const d = this.#mustGet(dispatchId);
    const call = this.#o.callRepo.get(d.callId)!;
    if (call.answeredBy !== null && call.answeredBy !== by.id && d.dispatchedBy !== by.id && !OVERSEERS.has(by.role)) {
      throw new AppError(ErrorCode.NotYourCall, 'another officer has this call');
    }
    if (!this.#o.dispatches.transition(dispatchId, 'cancelled', this.#o.now())) throw this.#badTransition(d, 'cancelled');
    this.#o.callRepo.addEvent(d.callId, 'dispatch_cancelled', actorOf.user(by.id), { dispatchId }, this.#o.now());
    this.#clearEscalation(dispatchId);
    this.#talkProducers.delete(dispatchId);
    const view = this.#publish(this.#mustGet(dispatchId));
    this.#publishResponder(d.responderId);
    return view;
  }

  forCall(callId: string): DispatchView[] {
    return this.#o.dispatches.forCall(callId).map((d) => this.view(d));
  }

  /** Open ones, and today's closed ones, for a desk that (re)connects. */
  recent(): DispatchView[] {
    const since = this.#o.now() - 12 * 3_600_000;
    const byId = new Map<number, DispatchRecord>();
    for (const d of this.#o.dispatches.since(since)) byId.set(d.id, d);
    for (const d of this.#o.dispatches.open()) byId.set(d.id, d);
    return [...byId.values()].sort((a, b) => a.id - b.id).map((d) => this.view(d));
  }

  // ---- the responder ----

  jobsOf(userId: number): JobView[] {
    return this.#o.dispatches.openOf(userId).map((d) => this.job(d));
  }

  setStatus(dispatchId: number, userId: number, status: ResponderJobStatus, extra: { note?: string | undefined; reason?: string | undefined }): JobView {
    const d = this.#mustGet(dispatchId);
    if (d.responderId !== userId) throw new AppError(ErrorCode.NotYourJob, 'that job was given to another responder');
    const reason = extra.reason?.trim() ?? '';
    if (status === 'refused' && !reason) throw new AppError(ErrorCode.BadRequest, 'say why you refuse (reason)');
    const at = this.#o.now();
    if (!this.#o.dispatches.transition(dispatchId, status, at, { note: extra.note?.trim() ?? '', reason })) throw this.#badTransition(d, status);
    if (status !== 'en_route' && status !== 'on_scene') this.#clearEscalation(dispatchId);
    if (status === 'done' || status === 'refused') this.#stopTalk(d);
    this.#o.callRepo.addEvent(d.callId, `dispatch_${status}`, actorOf.user(userId), { dispatchId, ...(status === 'refused' ? { reason } : {}), ...(status === 'done' && extra.note ? { note: extra.note.trim() } : {}) }, at);
    this.#log.info({ callId: d.callId, dispatchId, responderId: userId, status }, 'job status');
    const fresh = this.#publish(this.#mustGet(dispatchId));
    this.#publishResponder(userId);
    return this.job(this.#mustGet(fresh.id));
  }

  /** The responder's job whose call media they may use (an open job of theirs on an open call). */
  assertOpenJob(dispatchId: number, userId: number): DispatchRecord {
    const d = this.#mustGet(dispatchId);
    if (d.responderId !== userId) throw new AppError(ErrorCode.NotYourJob, 'that job was given to another responder');
    if (!['assigned', 'accepted', 'en_route', 'on_scene'].includes(d.status)) throw new AppError(ErrorCode.BadTransition, `the job is ${d.status}`);
    return d;
  }

  /** The open job of this responder on this call (media requests name the call). */
  jobOnCall(callId: string, userId: number): DispatchRecord {
    const d = this.#o.dispatches.openOf(userId).find((x) => x.callId === callId);
    if (!d) throw new AppError(ErrorCode.NotYourJob, 'you have no open job on that call');
    return d;
  }

  /** The responder's microphone is produced (paused until they press talk). */
  setTalkProducer(dispatchId: number, producerId: string): void {
    this.#talkProducers.set(dispatchId, producerId);
  }

  /** Push to talk: the terminal's speaker plays this responder, then the officer again. */
  talk(dispatchId: number, userId: number, on: boolean): void {
    const d = this.assertOpenJob(dispatchId, userId);
    const call = this.#o.callRepo.get(d.callId)!;
    if (call.state === 'ended') throw new AppError(ErrorCode.CallEnded, 'the call is over: the terminal cannot play your voice');
    const session = this.#o.presence.get(call.terminalId);
    if (!session) throw new AppError(ErrorCode.TerminalOffline, 'the terminal is offline');
    const mine = this.#talkProducers.get(dispatchId);
    if (on && !mine) throw new AppError(ErrorCode.BadRequest, 'produce your microphone first');
    const producerId = on ? mine : this.#o.calls.officerProducerOf(call.id);
    if (producerId) session.send('call.officerAudio', { callId: call.id, producerId });
    this.#o.audit.write({ actor: `user:${this.#o.users.get(userId)?.username ?? userId}`, action: on ? 'responder.talk' : 'responder.talk_end', target: call.terminalId, detail: { callId: call.id, dispatchId } });
    this.#log.info({ callId: call.id, dispatchId, responderId: userId, on }, on ? 'responder talking on the terminal speaker' : 'responder stopped talking');
  }

  // ---- views ----

  view(d: DispatchRecord): DispatchView {
    const r = this.#o.responders.get(d.responderId);
    const u = r ? null : this.#o.users.get(d.responderId);
    const by = this.#o.users.get(d.dispatchedBy);
    const call = this.#o.callRepo.get(d.callId);
    return {
      id: d.id,
      callId: d.callId,
      terminalId: call?.terminalId ?? '',
      responder: { id: d.responderId, displayName: r?.displayName ?? u?.displayName ?? '', unitName: r?.unitName ?? '', kind: r?.kind ?? 'volunteer' },
      dispatchedBy: { id: d.dispatchedBy, displayName: by?.displayName ?? '' },
      status: d.status,
      distanceM: d.distanceM,
      dispatchedAt: d.dispatchedAt,
      acceptedAt: d.acceptedAt,
      enRouteAt: d.enRouteAt,
      onSceneAt: d.onSceneAt,
      doneAt: d.doneAt,
      refusedAt: d.refusedAt,
      cancelledAt: d.cancelledAt,
      escalatedAt: d.escalatedAt,
      note: d.note,
      refuseReason: d.refuseReason,
    };
  }

  job(d: DispatchRecord): JobView {
    const call = this.#o.callRepo.get(d.callId)!;
    const terminal = this.#o.terminals.get(call.terminalId)!;
    const live = this.#o.calls.view(call.id);
    const snap = this.#o.media.forCall(call.id).filter((m) => m.kind === 'snapshot' && m.deletedAt === null).at(-1);
    return {
      dispatch: this.view(d),
      terminal: this.#o.calls.terminalView(terminal),
      call: { id: call.id, state: call.state, createdAt: call.createdAt, producers: live?.producers ?? [] },
      snapshotUrl: snap ? `/api/responder/jobs/${d.id}/snapshot` : null,
    };
  }

  /** The newest snapshot of a job's call, for that job's responder only. */
  snapshotOf(dispatchId: number, userId: number): { file: string; mime: string; callId: string } {
    const d = this.#mustGet(dispatchId);
    if (d.responderId !== userId) throw new AppError(ErrorCode.NotYourJob, 'that job was given to another responder');
    const snap = this.#o.media.forCall(d.callId).filter((m) => m.kind === 'snapshot' && m.deletedAt === null).at(-1);
    if (!snap) throw new AppError(ErrorCode.NotFound, 'no snapshot of this call');
    return { file: snap.file, mime: snap.mime, callId: d.callId };
  }

  close(): void {
    this.#o.calls.off('callUpdated', this.#onCallUpdated);
    for (const t of this.#escalations.values()) clearTimeout(t);
    this.#escalations.clear();
    if (this.#sweep) clearInterval(this.#sweep);
    this.#sweep = null;
  }

  // ---- internals ----

  #callChanged(call: CallView): void {
    for (const d of this.#o.dispatches.forCall(call.id)) {
      if (!['assigned', 'accepted', 'en_route', 'on_scene'].includes(d.status)) continue;
      if (call.state === 'ended') this.#talkProducers.delete(d.id);
      this.emit('jobUpdated', d.responderId, this.job(d));
    }
  }

  #stopTalk(d: DispatchRecord): void {
    if (!this.#talkProducers.delete(d.id)) return;
    const call = this.#o.callRepo.get(d.callId);
    const officer = call && call.state !== 'ended' ? this.#o.calls.officerProducerOf(call.id) : null;
    if (call && officer) this.#o.presence.get(call.terminalId)?.send('call.officerAudio', { callId: call.id, producerId: officer });
  }

  #armEscalation(d: DispatchRecord): void {
    const wait = Math.max(0, d.dispatchedAt + this.#o.timings.escalateAfterMs - this.#o.now());
    const timer = setTimeout(() => {
      this.#escalations.delete(d.id);
      if (!this.#o.dispatches.escalate(d.id, this.#o.now())) return;
      this.#log.warn({ callId: d.callId, dispatchId: d.id, responderId: d.responderId, afterMs: this.#o.timings.escalateAfterMs }, 'dispatch not accepted in time: desk alerted');
      this.#o.callRepo.addEvent(d.callId, 'dispatch_escalated', 'relay', { dispatchId: d.id, responderId: d.responderId });
      this.#publish(this.#mustGet(d.id));
    }, wait);
    timer.unref?.();
    this.#escalations.set(d.id, timer);
  }

  #clearEscalation(id: number): void {
    const t = this.#escalations.get(id);
    if (t) clearTimeout(t);
    this.#escalations.delete(id);
  }

  #badTransition(d: DispatchRecord, to: keyof typeof ALLOWED_FROM): AppError {
    const now = this.#mustGet(d.id).status;
    return new AppError(ErrorCode.BadTransition, `a job that is ${now} cannot become ${to}`, { status: now });
  }

  #mustGet(id: number): DispatchRecord {
    const d = this.#o.dispatches.get(id);
    if (!d) throw new AppError(ErrorCode.DispatchNotFound, `no dispatch ${id}`);
    return d;
  }

  #publish(d: DispatchRecord): DispatchView {
    const view = this.view(d);
    this.emit('dispatchUpdated', view);
    this.emit('jobUpdated', d.responderId, this.job(d));
    return view;
  }

  #publishResponder(userId: number): ResponderView {
    const view = this.responderView(this.responderOf(userId));
    this.emit('responderUpdated', view);
    return view;
  }
}
