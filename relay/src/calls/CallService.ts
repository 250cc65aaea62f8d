import type { Logger } from 'pino';
import type { types } from 'mediasoup';
import { AppError, ErrorCode, TypedEmitter, type CallKind, type CallView, type EndReason, type TerminalView } from '@helppoint/shared';
import { actorOf, type CallRecord, type CallRepo } from '../db/CallRepo.ts';
import {
  initialState,
  transition,
  type LifecycleAction,
  type LifecycleEvent,
  type LifecycleState,
  type LifecycleStateName,
  type TimerName,
} from './CallLifecycle.ts';
import type { TerminalRecord, TerminalRepo } from '../db/TerminalRepo.ts';
import type { UserRepo } from '../db/UserRepo.ts';
import type { TerminalPresence } from '../presence/TerminalPresence.ts';
import type { PoolSlot } from '../sfu/WorkerPool.ts';

interface LiveCall {
  id: string;
  terminalId: string;
  slot: PoolSlot;
  /** Where the call is in the lifecycle table (CallLifecycle.ts). */
  state: LifecycleState;
  producers: Map<string, { id: string; kind: 'audio' | 'video' }>;
  officerProducerId: string | null;
  timers: Map<TimerName, ReturnType<typeof setTimeout>>;
  /** Listeners on producers that outlive the call (a terminal's standing ones): removed when it ends. */
  detach: (() => void)[];
  /**
   * Who declined, oldest first, each once: the call's events are the record,
   * and the view reads this copy, so that drawing the call (at every ring and
   * update) does not read all its events back from SQLite. Calls open only
   * through #open, and a relay restart ends every open call, so a ringing
   * call always has it.
   */
  declines: Map<number, { id: number; displayName: string }>;
  log: Logger;
}

/** How long a call may ring before it escalates / is abandoned, and how long it may last once answered. */
export interface CallTimings {
  escalateAfterMs: number;
  /** The call ends as no_answer (the terminal tells the resident to dial 110). */
  ringTimeoutMs: number;
  /** An answered call ends as max_duration after this long. */
  maxCallMs: number;
  /** After its worker died, an answered call waits this long for the terminal to re-join, then ends (media_failed). */
  recoveryMs: number;
}

/** One step of a call through the lifecycle table: the ONE place to watch calls change. */
export interface CallTransition {
  callId: string;
  from: LifecycleStateName | null;
  to: LifecycleStateName;
  /** The lifecycle event; 'created' for a new call, 'forcedEnd' for end() outside the table. */
  event: LifecycleEvent['type'] | 'created' | 'forcedEnd';
  /** The call as consoles see it after the step. */
  view: CallView;
}

export interface CallServiceEvents {
  /**
   * Every transition of every call (created, answered, declined, escalated,
   * recovering, ended …) with the call view after it. Dispatch, district
   * federation and metrics listen here.
   */
  transition: [CallTransition];
  /** Every change a console should show (also media coming and going, which is not a transition). */
  callUpdated: [CallView];
  /**
   * A call of this terminal now exists (before any console hears of it): the
   * terminal's gateway puts its standing producers into it (issue 15), so the
   * very first call.updated already carries the picture.
   */
  callOpened: [callId: string, terminalId: string];
  /** The call is over: gateways close the media they hold for it. */
  callClosed: [callId: string, terminalId: string];
  /** The answering officer's microphone is live (the recorder adds it). */
  officerAudio: [callId: string, producer: types.Producer];
  /**
   * A console resumed its consumer of this (video) producer, i.e. asked the camera for a keyframe: the
   * recorder waits for this before it asks too (CallRecordings), so the two requests do not collide.
   */
  producerViewed: [producerId: string];
}

export interface Officer {
  id: number;
  displayName: string;
}

/** Which lifecycle event each timer fires. */
const TIMER_EVENTS = {
  ring: 'ringTimeout',
  escalate: 'escalateTimeout',
  maxDuration: 'maxDurationTimeout',
  recovery: 'recoveryTimeout',
} as const satisfies Record<TimerName, LifecycleEvent['type']>;

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
      recoveryMs: opts.recoveryMs ?? 45_000,
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
    if (busy && this.#live.get(busy)?.state.kind === 'lookin') {
      // The resident pressed while an officer was looking in: they need help,
      // and every console must ring for it. The look-in ends; a new call rings.
      this.#log.info({ callId: busy, terminalId, requestId }, 'press during a look-in: ending the look-in, ringing a help call');
      this.#dispatch(busy, { type: 'pressDuringLookin' });
      busy = null;
    }
    if (busy) {
      // One call per terminal: a second press while a call is open is the same plea.
      this.#log.info({ callId: busy, terminalId, requestId }, 'press while a call is open: folded into the open call');
      return { callId: busy, created: false };
    }
    // The call and its standing producers' media events in one commit (one fsync, not three), before
    // any console rings: a ring is never for a call the database does not have.
    let opened: LiveCall | null = null;
    try {
      this.#calls.atomically(() => {
        const { call } = this.#calls.createOrGet({ requestId, terminalId, at: Date.now(), kind });
        opened = this.#open(call.id, terminalId, session.slot, kind);
      });
    } catch (error) {
      // The commit failed (disk full, I/O error): nothing rang, and nothing may stay live of the call.
      if (opened) this.#forget(opened);
      throw error;
    }
    const live: LiveCall = opened!;
    this.#start(live);
    live.log.info({ requestId, kind }, kind === 'tamper' ? 'tamper alarm: ringing consoles' : 'help requested: ringing consoles');
    return { callId: live.id, created: true };
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
    session.send('lookin.started', { callId: call.id });
    const live = this.#track(call.id, terminalId, session.slot, 'lookin');
    live.log.info({ officerId: officer.id, officer: officer.displayName }, 'look-in started');
    return this.view(call.id) ?? this.#mustView(call.id);
  }

  /**
   * The door switch opened while the terminal is idle: a tamper call rings,
   * queued above help calls. Returns null when the terminal is already in a
   * call (the officers are with it) or offline. Idempotent per opening.
   */
  raiseTamper(terminalId: string, openedAt: number): { callId: string; created: boolean } | null {
    if (!this.#presence.get(terminalId)) return null;
    if (this.openCallOf(terminalId)) return null;
    return this.requestHelp(terminalId, `tamper-${terminalId}-${openedAt}`, { kind: 'tamper' });
  }

  /** Starts the lifecycle of a call just written to the database. */
  #track(callId: string, terminalId: string, slot: PoolSlot, kind: CallView['kind']): LiveCall {
    const live = this.#open(callId, terminalId, slot, kind);
    this.#start(live);
    return live;
  }

  /**
   * The call is live: its terminal's standing producers join it (callOpened). Inside requestHelp's
   * transaction; if that does not commit, #forget undoes it (nothing rang yet).
   */
  #open(callId: string, terminalId: string, slot: PoolSlot, kind: CallView['kind']): LiveCall {
    const log = this.#log.child({ callId, terminalId });
    const live: LiveCall = { id: callId, terminalId, slot, state: initialState(kind).state, producers: new Map(), officerProducerId: null, timers: new Map(), detach: [], declines: new Map(), log };
    this.#live.set(callId, live);
    this.emit('callOpened', callId, terminalId);
    return live;
  }

  #forget(live: LiveCall): void {
    this.#live.delete(live.id);
    for (const off of live.detach.splice(0)) off();
    // Whoever the opening told (the terminal's standing producers, media authorisation) lets go again.
    this.emit('callClosed', live.id, live.terminalId);
  }

  /** Timers and the first call.updated (the ring). */
  #start(live: LiveCall): void {
    this.#apply(live, initialState(live.state.kind).actions, null, 'created');
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
    live.log.info({ officerId: officer.id, officer: officer.displayName }, 'call answered');
    this.#dispatch(callId, { type: 'answer', officer });
    return this.#mustView(callId);
  }

  /**
   * One officer will not take this ringing call: their consoles stop ringing
   * for it (the view lists who declined); it rings on everywhere else until
   * answered, cancelled or timed out. Each decline is a call event, so the
   * record says who declined last.
   */
  decline(callId: string, officer: Officer): CallView {
    const live = this.#liveOrThrow(callId);
    if (live.state.name !== 'ringing') throw new AppError(ErrorCode.CallAlreadyAnswered, 'only a ringing call can be declined');
    this.#dispatch(callId, { type: 'decline', officer });
    return this.#mustView(callId);
  }

  /** help.cancel from the terminal: the table decides cancelled (ringing) or terminal_hangup (answered). */
  terminalHangup(callId: string, terminalId: string, reason?: 'media_failed'): void {
    this.assertTerminalOwns(callId, terminalId);
    this.#dispatch(callId, reason === 'media_failed' ? { type: 'mediaFailed' } : { type: 'terminalHangup' });
  }

  /** An officer hangs up (or ends a call still ringing). */
  officerHangup(callId: string, officer: Officer): void {
    this.assertOfficerMayEnd(callId, officer);
    if (!this.#live.has(callId)) return; // already over: nothing to do
    this.#dispatch(callId, { type: 'officerHangup' });
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
    if (live.state.name === 'recovering' && producer.kind === 'video') this.#dispatch(callId, { type: 'mediaBack' });
    else if (publish) this.#publish(callId);
  }

  /** A console's consumer of `producerId` was resumed (its gateway says so): see the producerViewed event. */
  producerViewed(producerId: string): void {
    this.emit('producerViewed', producerId);
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

  // --- hook for dispatch (issue 13): a responder's talk button hands the terminal's
  // speaker back to the officer's microphone when released.
  officerProducerOf(callId: string): string | null {
    return this.#live.get(callId)?.officerProducerId ?? null;
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

  /**
   * Ends a call once with this reason, whatever its state (tests, shutdown
   * paths); later calls are no-ops. Normal endings go through the table
   * (officerHangup, terminalHangup, timeouts, terminalLost …).
   */
  end(callId: string, reason: EndReason, endedBy: 'officer' | 'terminal' | 'relay'): boolean {
    const live = this.#live.get(callId);
    if (!live) return this.#calls.end({ callId, reason, endedBy, at: Date.now() });
    const from = live.state.name;
    live.state = { name: 'ended', kind: live.state.kind };
    const actions: LifecycleAction[] = [
      ...(['escalate', 'ring', 'maxDuration', 'recovery'] as const).map((timer): LifecycleAction => ({ type: 'stopTimer', timer })),
      { type: 'end', reason, endedBy },
    ];
    return this.#apply(live, actions, from, 'forcedEnd');
  }

  /**
   * A mediasoup worker died and its slot has a fresh one: ringing calls on it
   * end as media_failed (the terminal asks again at once, on the fresh
   * worker); answered calls stay, and their peers re-join on the fresh worker
   * through the ICE-recovery path (re-rung only if that does not happen in
   * time). Calls on other workers are untouched.
   */
  endCallsOnSlot(slot: PoolSlot): string[] {
    const ids = [...this.#live.values()].filter((c) => c.slot === slot).map((c) => c.id);
    for (const id of ids) this.#dispatch(id, { type: 'workerLost' });
    if (ids.length) this.#log.warn({ worker: slot.index, callIds: ids }, 'worker lost: ringing calls ended, answered calls re-joining');
    return ids;
  }

  /** The terminal's connection dropped: its media is gone with it. */
  terminalLost(terminalId: string): void {
    const callId = this.openCallOf(terminalId);
    if (callId) this.#dispatch(callId, { type: 'terminalLost' });
  }

  /** Where a live call is in the lifecycle (null once it ended). */
  lifecycleOf(callId: string): LifecycleStateName | null {
    return this.#live.get(callId)?.state.name ?? null;
  }

  /** Feeds one event to a call's transition table; an event its state does not take is logged and ignored. */
  #dispatch(callId: string, event: LifecycleEvent): boolean {
    const live = this.#live.get(callId);
    if (!live) return false;
    const next = transition(live.state, event);
    if (!next) {
      live.log.info({ state: live.state.name, event: event.type }, 'call event ignored in this state');
      return false;
    }
    const from = live.state.name;
    live.state = next.state;
    if (from !== next.state.name) live.log.info({ from, to: next.state.name, event: event.type }, 'call state');
    return this.#apply(live, next.actions, from, event.type);
  }

  /**
   * The one place the lifecycle's actions become effects: timers, database
   * writes, terminal messages, media clean-up and the console / listener
   * events. Returns false when the database said the call had already ended.
   */
  #apply(live: LiveCall, actions: LifecycleAction[], from: LifecycleStateName | null, event: CallTransition['event']): boolean {
    let changed = true;
    let published = false;
    const terminal = () => this.#presence.get(live.terminalId);
    for (const action of actions) {
      switch (action.type) {
        case 'startTimer': {
          const ms = this.#timerMs(action.timer);
          if (ms === null) break;
          const timer = setTimeout(() => {
            live.timers.delete(action.timer);
            this.#dispatch(live.id, { type: TIMER_EVENTS[action.timer] });
          }, ms);
          timer.unref?.();
          live.timers.set(action.timer, timer);
          break;
        }
        case 'stopTimer':
          clearTimeout(live.timers.get(action.timer));
          live.timers.delete(action.timer);
          break;
        case 'recordEscalation':
          if (this.#calls.escalate({ callId: live.id, at: Date.now() })) live.log.warn({ afterMs: this.#timings.escalateAfterMs }, 'call unanswered: escalated');
          break;
        case 'recordDecline':
          this.#calls.addEvent(live.id, 'declined', actorOf.user(action.officer.id), { displayName: action.officer.displayName });
          live.declines.delete(action.officer.id);
          live.declines.set(action.officer.id, { id: action.officer.id, displayName: action.officer.displayName });
          live.log.info({ officerId: action.officer.id, officer: action.officer.displayName }, 'declined on one console: still ringing elsewhere');
          break;
        case 'tellTerminalAnswered':
          terminal()?.send('call.answered', { callId: live.id, officer: { displayName: action.officer.displayName } });
          break;
        case 'forgetMedia':
          live.producers.clear();
          live.officerProducerId = null;
          break;
        case 'recordEvent':
          this.#calls.addEvent(live.id, action.event, actorOf.relay, { worker: live.slot.index });
          live.log.warn({ worker: live.slot.index }, action.event === 'media_recovering' ? 'worker lost under an answered call: waiting for the peers to re-join' : 'media re-joined on the live worker');
          break;
        case 'end': {
          changed = this.#calls.end({ callId: live.id, reason: action.reason, endedBy: action.endedBy, at: Date.now() });
          this.#live.delete(live.id);
          for (const off of live.detach.splice(0)) off();
          live.log.info({ reason: action.reason, endedBy: action.endedBy }, 'call ended');
          terminal()?.send('call.ended', { callId: live.id, reason: action.reason });
          this.emit('callClosed', live.id, live.terminalId);
          break;
        }
        case 'publish':
          published = true;
          break;
      }
    }
    const ended = live.state.name === 'ended';
    if (published || ended) {
      const view = this.view(live.id, ended ? undefined : live);
      if (view) {
        this.emit('callUpdated', view);
        this.emit('transition', { callId: live.id, from, to: live.state.name, event, view });
      }
    }
    return changed;
  }

  #timerMs(timer: TimerName): number | null {
    switch (timer) {
      case 'ring':
        return this.#timings.ringTimeoutMs;
      case 'escalate':
        // Escalating after the call has stopped ringing would mean nothing.
        return this.#timings.escalateAfterMs < this.#timings.ringTimeoutMs ? this.#timings.escalateAfterMs : null;
      case 'maxDuration':
        return this.#timings.maxCallMs;
      case 'recovery':
        return this.#timings.recoveryMs;
    }
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
    for (const live of this.#live.values()) for (const t of live.timers.values()) clearTimeout(t);
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
      declinedBy: call.state === 'ringing' && live ? [...live.declines.values()] : [],
    };
  }

  /** Media came or went (not a lifecycle step): consoles update their view. */
  #publish(callId: string, live = this.#live.get(callId)): CallView {
    const view = this.#mustView(callId, live);
    this.emit('callUpdated', view);
    return view;
  }

  #mustView(callId: string, live = this.#live.get(callId)): CallView {
    const view = this.view(callId, live);
    if (!view) throw new AppError(ErrorCode.CallNotFound, `no call ${callId}`);
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
