import type { Logger } from 'pino';
import type { types } from 'mediasoup';
import { AppError, ErrorCode, TypedEmitter, type CallView, type EndReason, type TerminalView } from '@helppoint/shared';
import type { CallKind, CallRecord, CallRepo } from '../db/CallRepo.ts';
import type { TerminalRecord, TerminalRepo } from '../db/TerminalRepo.ts';
import type { UserRepo } from '../db/UserRepo.ts';
import type { TerminalPresence } from '../presence/TerminalPresence.ts';
import type { PoolSlot } from '../sfu/WorkerPool.ts';

interface LiveCall {
  id: string;
  terminalId: string;
  slot: PoolSlot;
  producers: Map<string, { id: string; kind: 'audio' | 'video' }>;
  officerProducerId: string | null;
  /** An officer's look-in, not a terminal's call: a press replaces it with a real call. */
  lookin?: boolean;
  ringTimer: ReturnType<typeof setTimeout> | null;
  /** Listeners on producers that outlive the call (standing ones): removed when it ends. */
  detach: (() => void)[];
  /** Escalation while ringing, then the maximum call length once answered. */
  dutyTimer: ReturnType<typeof setTimeout> | null;
  log: Logger;
}

/** How long a call may ring before it escalates / is abandoned, and how long it may last once answered. */
export interface CallTimings {
  escalateAfterMs: number;
  /** The call ends as no_answer (the terminal tells the resident to dial 110). */
  ringTimeoutMs: number;
  /** An answered call ends as max_duration after this long. */
  maxCallMs: number;
}

export interface CallServiceEvents {
  /** Every change a console should show. */
  callUpdated: [CallView];
  /**
   * A call of this terminal now exists (before any console hears of it): the
   * terminal's gateway puts its standing producers into it, so the very first
   * call.updated already carries the picture.
   */
  callOpened: [callId: string, terminalId: string];
  /** The call is over: gateways close the media they hold for it. */
  callClosed: [callId: string, terminalId: string];
  /** The answering officer's microphone is live (the recorder adds it). */
  officerAudio: [callId: string, producer: types.Producer];
}

export interface Officer {
  id: number;
  displayName: string;
}

/**
 * The help-call lifecycle: a press creates (or, retried, finds) a call, every
 * console rings, the first officer to answer takes it, and it ends exactly
 * once with one reason. State lives in SQLite; media bookkeeping in memory.
 */
export class CallService extends TypedEmitter<CallServiceEvents> {
  readonly #calls: CallRepo;
  readonly #terminals: TerminalRepo;
  readonly #users: UserRepo;
  readonly #presence: TerminalPresence;
  readonly #log: Logger;
  readonly #timings: CallTimings;
  readonly #live = new Map<string, LiveCall>();

  constructor(opts: { calls: CallRepo; terminals: TerminalRepo; users: UserRepo; presence: TerminalPresence; logger: Logger; ringTimeoutMs: number } & Partial<CallTimings>) {
    super();
    this.#calls = opts.calls;
    this.#terminals = opts.terminals;
    this.#users = opts.users;
    this.#presence = opts.presence;
    this.#log = opts.logger.child({ component: 'calls' });
    this.#timings = {
      ringTimeoutMs: opts.ringTimeoutMs,
      escalateAfterMs: opts.escalateAfterMs ?? 20_000,
      maxCallMs: opts.maxCallMs ?? 30 * 60_000,
    };
    this.onListenerError = (error, event) => this.#log.error({ err: error, event }, 'call listener failed');
  }

  /** Calls left open by a crash or restart cannot continue: their media is gone. */
  closeStaleCalls(): string[] {
    const ids = this.#calls.endAllOpen({ reason: 'relay_restart', at: Date.now() });
    if (ids.length) this.#log.warn({ callIds: ids }, 'ended calls left open by the previous run');
    return ids;
  }

  requestHelp(
    terminalId: string,
    requestId: string,
    opts: { kind?: CallKind; pressedAt?: number; late?: boolean } = {},
  ): { callId: string; created: boolean; missed?: boolean } {
    const kind = opts.kind ?? 'help';
    const session = this.#presence.get(terminalId);
    if (!session) throw new AppError(ErrorCode.Disconnected, 'terminal is not connected');
    const existing = this.#calls.getByRequestId(requestId);
    if (existing) {
      if (existing.terminalId !== terminalId) throw new AppError(ErrorCode.BadMessage, 'requestId already used by another terminal');
      this.#log.info({ callId: existing.id, terminalId, requestId }, 'repeated help request: same call');
      return existing.endReason === 'missed' ? { callId: existing.id, created: false, missed: true } : { callId: existing.id, created: false };
    }
    if (opts.late) return this.#recordMissed(terminalId, requestId, opts.pressedAt ?? Date.now());
    let busy = this.openCallOf(terminalId);
    if (busy && this.#live.get(busy)?.lookin) {
      // The resident pressed while an officer was looking in: they need help,
      // and every console must ring for it. The look-in ends; a new call rings.
      this.#log.info({ callId: busy, terminalId, requestId }, 'press during a look-in: ending the look-in, ringing a help call');
      this.end(busy, 'terminal_hangup', 'terminal');
      busy = null;
    }
    if (busy) {
      // One call per terminal: a second press while a call is open is the same plea.
      this.#log.info({ callId: busy, terminalId, requestId }, 'press while a call is open: folded into the open call');
      return { callId: busy, created: false };
    }
    const { call } = this.#calls.createOrGet({ requestId, terminalId, at: Date.now(), kind });
    const log = this.#log.child({ callId: call.id, terminalId });
    const live: LiveCall = { id: call.id, terminalId, slot: session.slot, producers: new Map(), officerProducerId: null, ringTimer: null, dutyTimer: null, detach: [], log };
    this.#live.set(call.id, live);
    live.ringTimer = setTimeout(() => this.end(call.id, 'no_answer', 'relay'), this.#timings.ringTimeoutMs);
    live.ringTimer.unref?.();
    if (this.#timings.escalateAfterMs < this.#timings.ringTimeoutMs) {
      live.dutyTimer = setTimeout(() => this.#escalate(live), this.#timings.escalateAfterMs);
      live.dutyTimer.unref?.();
    }
    this.emit('callOpened', call.id, terminalId);
    log.info({ requestId, kind, producers: live.producers.size }, 'help requested: ringing consoles');
    this.#publish(call.id);
    return { callId: call.id, created: true };
  }

  /** The resident pressed while the relay was unreachable and has stopped waiting: officers call back. */
  #recordMissed(terminalId: string, requestId: string, pressedAt: number): { callId: string; created: boolean; missed: true } {
    const { call, created } = this.#calls.createMissed({ requestId, terminalId, at: Date.now(), pressedAt });
    this.#log.warn({ callId: call.id, terminalId, requestId, pressedAt }, 'help request delivered late: recorded as a missed call to call back');
    if (created) this.#publish(call.id);
    return { callId: call.id, created, missed: true };
  }

  /**
   * An officer opens an online, idle terminal's camera (and microphone)
   * without a call. It is stored as a call of kind lookin already answered by
   * them, so media, recording, hang-up and history work as for calls; nobody
   * rings. The terminal blinks its LED slowly while it lasts.
   */
  startLookin(terminalId: string, officer: Officer): CallView {
    if (!this.#terminals.get(terminalId)) throw new AppError(ErrorCode.UnknownTerminal, `terminal ${terminalId} is not registered`);
    const session = this.#presence.get(terminalId);
    if (!session) throw new AppError(ErrorCode.TerminalOffline, `terminal ${terminalId} is offline`);
    const busy = this.openCallOf(terminalId);
    if (busy) throw new AppError(ErrorCode.TerminalBusy, `terminal ${terminalId} is in a call`, { callId: busy });
    const call = this.#calls.createLookin({ terminalId, userId: officer.id, at: Date.now() });
    const log = this.#log.child({ callId: call.id, terminalId });
    const live: LiveCall = { id: call.id, terminalId, slot: session.slot, producers: new Map(), officerProducerId: null, lookin: true, ringTimer: null, dutyTimer: null, detach: [], log };
    this.#live.set(call.id, live);
    live.dutyTimer = setTimeout(() => this.end(call.id, 'max_duration', 'relay'), this.#timings.maxCallMs);
    live.dutyTimer.unref?.();
    this.emit('callOpened', call.id, terminalId);
    log.info({ officerId: officer.id, officer: officer.displayName }, 'look-in started');
    session.send('lookin.started', { callId: call.id });
    return this.#publish(call.id);
  }

  openCallOf(terminalId: string): string | null {
    for (const c of this.#live.values()) if (c.terminalId === terminalId) return c.id;
    return null;
  }

  /** The router a call's media lives on (the terminal's worker). */
  slotForCall(callId: string): PoolSlot {
    return this.#liveOrThrow(callId).slot;
  }

  answer(callId: string, officer: Officer): CallView {
    const live = this.#liveOrThrow(callId);
    const result = this.#calls.answer({ callId, userId: officer.id, at: Date.now() });
    if (!result.ok) {
      const current = result.call;
      if (current.state === 'ended') throw new AppError(ErrorCode.CallEnded, 'the call has already ended');
      const by = current.answeredBy === null ? null : this.#users.get(current.answeredBy);
      throw new AppError(ErrorCode.CallAlreadyAnswered, `already answered by ${by?.displayName ?? 'another officer'}`, {
        answeredBy: by ? { id: by.id, displayName: by.displayName } : null,
      });
    }
    if (live.ringTimer) clearTimeout(live.ringTimer);
    live.ringTimer = null;
    if (live.dutyTimer) clearTimeout(live.dutyTimer);
    live.dutyTimer = setTimeout(() => this.end(callId, 'max_duration', 'relay'), this.#timings.maxCallMs);
    live.dutyTimer.unref?.();
    live.log.info({ officerId: officer.id, officer: officer.displayName }, 'call answered');
    this.#presence.get(live.terminalId)?.send('call.answered', { callId, officer: { displayName: officer.displayName } });
    return this.#publish(callId);
  }

  /**
   * A terminal's camera or microphone is live in the call. `publish: false`
   * while the call is being opened (its first call.updated follows).
   */
  addTerminalProducer(callId: string, terminalId: string, producer: types.Producer, publish = true): void {
    const live = this.#liveOrThrow(callId);
    if (live.terminalId !== terminalId) throw new AppError(ErrorCode.NotYourCall, 'that call belongs to another terminal');
    // A re-joined terminal's new producer of a kind replaces the old one in the call.
    for (const p of live.producers.values()) if (p.kind === producer.kind && p.id !== producer.id) live.producers.delete(p.id);
    live.producers.set(producer.id, { id: producer.id, kind: producer.kind });
    const onClose = () => {
      if (live.producers.delete(producer.id) && this.#live.has(callId)) this.#publish(callId);
    };
    producer.observer.on('close', onClose);
    live.detach.push(() => producer.observer.off('close', onClose));
    this.#calls.addEvent(callId, 'media', terminalId, { kind: producer.kind, producerId: producer.id });
    live.log.info({ kind: producer.kind, producerId: producer.id }, 'terminal media live');
    if (publish) this.#publish(callId);
  }

  /** The answering officer's microphone: the terminal plays it. */
  addOfficerProducer(callId: string, officer: Officer, producer: types.Producer): void {
    const live = this.#liveOrThrow(callId);
    const record = this.#calls.get(callId);
    if (!record || record.state !== 'answered' || record.answeredBy !== officer.id) {
      throw new AppError(ErrorCode.NotYourCall, 'only the officer who answered may talk on this call');
    }
    if (producer.kind !== 'audio') throw new AppError(ErrorCode.BadMessage, 'officers send audio only');
    live.officerProducerId = producer.id;
    live.log.info({ producerId: producer.id }, 'officer audio live');
    this.emit('officerAudio', callId, producer);
    this.#presence.get(live.terminalId)?.send('call.officerAudio', { callId, producerId: producer.id });
  }

  assertOfficerMayEnd(callId: string, officer: Officer): void {
    const record = this.#calls.get(callId);
    if (!record) throw new AppError(ErrorCode.CallNotFound, `no call ${callId}`);
    if (record.state === 'answered' && record.answeredBy !== officer.id) {
      throw new AppError(ErrorCode.NotYourCall, 'another officer has this call');
    }
  }

  assertTerminalOwns(callId: string, terminalId: string): void {
    const live = this.#liveOrThrow(callId);
    if (live.terminalId !== terminalId) throw new AppError(ErrorCode.NotYourCall, 'that call belongs to another terminal');
  }

  /** Ends a call once; later calls are no-ops. */
  end(callId: string, reason: EndReason, endedBy: 'officer' | 'terminal' | 'relay'): boolean {
    const live = this.#live.get(callId);
    const changed = this.#calls.end({ callId, reason, endedBy, at: Date.now() });
    if (!live) return changed;
    this.#live.delete(callId);
    if (live.ringTimer) clearTimeout(live.ringTimer);
    if (live.dutyTimer) clearTimeout(live.dutyTimer);
    for (const off of live.detach.splice(0)) off();
    live.log.info({ reason, endedBy }, 'call ended');
    this.#presence.get(live.terminalId)?.send('call.ended', { callId, reason });
    this.emit('callClosed', callId, live.terminalId);
    this.#publish(callId, live);
    return changed;
  }

  /**
   * A mediasoup worker died: the media of its calls is gone. They end as
   * media_failed (the terminal asks again at once, on the fresh worker);
   * calls on other workers are untouched.
   */
  endCallsOnSlot(slot: PoolSlot): string[] {
    const ids = [...this.#live.values()].filter((c) => c.slot === slot).map((c) => c.id);
    for (const id of ids) this.end(id, 'media_failed', 'relay');
    if (ids.length) this.#log.warn({ worker: slot.index, callIds: ids }, 'worker lost: its calls ended as media_failed');
    return ids;
  }

  /** The terminal's connection dropped: its media is gone with it. */
  terminalLost(terminalId: string): void {
    const callId = this.openCallOf(terminalId);
    if (callId) this.end(callId, 'terminal_lost', 'relay');
  }

  openCalls(): CallView[] {
    return [...this.#live.keys()].map((id) => this.view(id)).filter((v): v is CallView => v !== null);
  }

  view(callId: string, live = this.#live.get(callId)): CallView | null {
    const call = this.#calls.get(callId);
    if (!call) return null;
    const terminal = this.#terminals.get(call.terminalId);
    if (!terminal) return null;
    return this.#toView(call, terminal, live);
  }

  terminalView(t: TerminalRecord): TerminalView {
    return {
      id: t.id,
      name: t.name,
      nameEn: t.nameEn,
      address: t.address,
      hutong: t.hutong,
      district: t.district,
      kind: t.kind,
      latitude: t.latitude,
      longitude: t.longitude,
      notes: t.notes,
      online: this.#presence.isOnline(t.id),
      lastSeenAt: this.#presence.lastSeenAt(t.id),
    };
  }

  close(): void {
    for (const live of this.#live.values()) {
      if (live.ringTimer) clearTimeout(live.ringTimer);
      if (live.dutyTimer) clearTimeout(live.dutyTimer);
    }
    this.#live.clear();
  }

  #toView(call: CallRecord, terminal: TerminalRecord, live: LiveCall | undefined): CallView {
    const officer = call.answeredBy === null ? null : this.#users.get(call.answeredBy);
    return {
      id: call.id,
      terminal: this.terminalView(terminal),
      state: call.state,
      createdAt: call.createdAt,
      answeredAt: call.answeredAt,
      answeredBy: officer ? { id: officer.id, displayName: officer.displayName } : null,
      endedAt: call.endedAt,
      endReason: call.endReason,
      producers: call.state === 'ended' || !live ? [] : [...live.producers.values()],
      ...(call.endReason === 'missed' ? { pressedAt: this.#calls.events(call.id).find((e) => e.type === 'pressed')?.at ?? call.createdAt } : {}),
      kind: call.kind,
      escalatedAt: call.escalatedAt,
    };
  }

  /** Nobody answered in time: mark it (supervisors' consoles get the louder alert from the view). */
  #escalate(live: LiveCall): void {
    live.dutyTimer = null;
    if (!this.#live.has(live.id)) return;
    if (!this.#calls.escalate({ callId: live.id, at: Date.now() })) return;
    live.log.warn({ afterMs: this.#timings.escalateAfterMs }, 'call unanswered: escalated');
    this.#publish(live.id);
  }

  #publish(callId: string, live = this.#live.get(callId)): CallView {
    const view = this.view(callId, live);
    if (!view) throw new AppError(ErrorCode.CallNotFound, `no call ${callId}`);
    this.emit('callUpdated', view);
    return view;
  }

  #liveOrThrow(callId: string): LiveCall {
    const live = this.#live.get(callId);
    if (live) return live;
    const record = this.#calls.get(callId);
    if (record) throw new AppError(ErrorCode.CallEnded, 'the call has already ended');
    throw new AppError(ErrorCode.CallNotFound, `no call ${callId}`);
  }
}
