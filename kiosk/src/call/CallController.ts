import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { TypedEmitter, type TerminalEventArgs, type TerminalSender } from '@helppoint/shared';
import type { Button } from '../hw/Button.ts';
import type { Led } from '../hw/Led.ts';
import { IDLE, transition, type CallAction, type CallEvent, type CallState, type Prompt } from './CallMachine.ts';

/** Events about a call that may overtake the answer to its help.request. */
const EARLY_EVENTS: ReadonlySet<CallEvent['type']> = new Set(['answered', 'officerAudio', 'ended', 'helpDispatched']);

/** What the controller needs from the signalling client. */
export interface ControllerSignal extends TerminalSender {
  on(event: 'event', fn: (...args: TerminalEventArgs) => void): unknown;
  on(event: 'disconnected', fn: (reason: string) => void): unknown;
  on(event: 'connected', fn: () => void): unknown;
  /** Connected to the relay now (SignalClient has it; absent: assume so). */
  readonly ready?: boolean;
}

/** The durable record of presses (Outbox): written before a request is sent. */
export interface PressRecord {
  add(requestId: string, pressedAt: number): { pressedAt: number };
  markDelivered(requestId: string, callId: string): void;
}

/** The second path (HelpSms): texts the duty officers about one press, once. */
export interface SecondPath {
  alert(requestId: string): void;
}

/** What the controller needs from the media session. */
export interface ControllerMedia {
  /** A press is on its way to the relay: start the camera and microphone now, so the picture is there when the call is. */
  prepare?(): Promise<void>;
  /** The relay's side of the media link is gone (media_failed): make it again. */
  rebuildLink?(): Promise<void>;
  startCall(callId: string): Promise<void>;
  playOfficerAudio(callId: string, producerId: string): Promise<void>;
  stopCall(): Promise<void>;
}

/** Spoken to the resident. The real terminal plays recorded prompts; the simulation logs them. */
export interface VoicePrompter {
  say(prompt: Prompt): void;
  /** What the status page shows about prompts (the file-playing prompter has one). */
  readonly status?: unknown;
  close?(): void;
}

/**
 * Turns button gestures and relay events into call-machine events, and the
 * machine's actions into signalling, media, LED and voice. It holds no call
 * logic of its own: that is all in the transition table.
 */
export class CallController extends TypedEmitter<{ state: [CallState]; prompt: [Prompt] }> {
  #state: CallState = IDLE;
  readonly #signal: ControllerSignal;
  readonly #media: ControllerMedia;
  readonly #led: Led;
  readonly #voice: VoicePrompter;
  readonly #log: Logger;
  readonly #presses: PressRecord;
  #closed = false;
  readonly #sms: SecondPath;
  readonly #offlineWaitMs: number;
  #offlineTimer: ReturnType<typeof setTimeout> | null = null;
  /** Relay events for this press that came before the relay's answer to help.request (see dispatch). */
  readonly #early: CallEvent[] = [];
  #held: { requestId: string | null; timer: ReturnType<typeof setTimeout> } | null = null;
  #callLog: Logger;
  lastPrompt: Prompt | null = null;

  constructor(opts: {
    signal: ControllerSignal;
    media: ControllerMedia;
    button: Button;
    led: Led;
    voice: VoicePrompter;
    logger: Logger;
    presses: PressRecord;
    sms: SecondPath;
    /** How long the resident is kept waiting for the link before the press is left to the outbox. */
    offlineWaitMs: number;
  }) {
    super();
    this.#presses = opts.presses;
    this.#sms = opts.sms;
    this.#offlineWaitMs = opts.offlineWaitMs;
    this.#signal = opts.signal;
    this.#media = opts.media;
    this.#led = opts.led;
    this.#voice = opts.voice;
    this.#log = opts.logger.child({ component: 'call' });
    this.#callLog = this.#log;
    this.onListenerError = (error, event) => this.#log.error({ err: error, event }, 'call listener failed');
    opts.button.on('press', () => this.#onPress());
    opts.button.on('long-press', () => this.dispatch({ type: 'longPress' }));
    opts.signal.on('event', (...args) => this.#onRelayEvent(...args));
    opts.signal.on('disconnected', () => this.dispatch({ type: 'disconnected', freshRequestId: randomUUID() }));
    opts.signal.on('connected', () => {
      this.#releaseHeld();
      this.dispatch({ type: 'reconnected' });
    });
  }

  /**
   * At start-up the link is not up yet: a press in the first moments (the
   * button held through a restart) is written to the outbox at once but waits
   * up to `ms` for the first connection, so it rings instead of falling back
   * to SMS just because the socket is still opening.
   */
  holdPressesUntilConnected(ms: number): void {
    this.#held = { requestId: null, timer: setTimeout(() => this.#releaseHeld(), ms) };
  }

  #onPress(): void {
    if (this.#held) {
      if (!this.#held.requestId) {
        this.#held.requestId = randomUUID();
        this.#presses.add(this.#held.requestId, Date.now());
        this.#log.info({ requestId: this.#held.requestId }, 'press at start-up: recorded, waiting for the relay link');
      }
      return;
    }
    this.dispatch({ type: 'press', requestId: randomUUID() });
  }

  #releaseHeld(): void {
    const held = this.#held;
    if (!held) return;
    this.#held = null;
    clearTimeout(held.timer);
    if (held.requestId) this.dispatch({ type: 'press', requestId: held.requestId });
  }

  /** The press the machine itself is still trying to deliver live (the outbox courier leaves it alone). */
  get activeRequestId(): string | null {
    return this.#state.name === 'idle' ? null : this.#state.requestId;
  }

  close(): void {
    // The service is stopping: a press, or a request the closing link rejects, must not reach the
    // outbox after it has closed ("database connection is not open" at shutdown).
    this.#closed = true;
    this.#clearOfflineTimer();
    if (this.#held) clearTimeout(this.#held.timer);
    this.#held = null;
  }

  get state(): CallState {
    return this.#state;
  }

  dispatch(event: CallEvent): void {
    if (this.#closed) return;
    // The relay rings consoles before it answers the help.request, and a quick officer can answer before
    // this terminal has read that answer: such events would be lost in 'requesting' (the terminal would
    // keep ringing while the officer talks). Hold them until the request is accepted, then apply them.
    if (this.#state.name === 'requesting' && EARLY_EVENTS.has(event.type)) {
      if (this.#early.length < 16) this.#early.push(event);
      this.#callLog.info({ event: event.type }, 'relay event before the request was accepted: held until it is');
      return;
    }
    const next = transition(this.#state, event);
    if (!next) {
      this.#callLog.info({ state: this.#state.name, event: event.type }, 'event ignored in this state');
      return;
    }
    const from = this.#state.name;
    this.#state = next.state;
    if (next.state.callId && next.state.callId !== this.#callLogCallId) {
      this.#callLog = this.#log.child({ callId: next.state.callId, requestId: next.state.requestId });
    }
    this.#callLog.info({ from, to: next.state.name, event: event.type }, 'call state');
    for (const action of next.actions) this.#run(action);
    this.#armOfflineTimer(from);
    if (next.state.name === 'idle') this.#callLog = this.#log;
    this.emit('state', this.#state);
    if (from === 'requesting' && next.state.name !== 'requesting') {
      const held = this.#early.splice(0);
      for (const e of held) if ('callId' in e && e.callId === this.#state.callId) this.dispatch(e);
    }
  }

  #armOfflineTimer(from: string): void {
    if (this.#state.name !== 'offline') return this.#clearOfflineTimer();
    if (from === 'offline' && this.#offlineTimer) return;
    const requestId = this.#state.requestId!;
    this.#clearOfflineTimer();
    this.#offlineTimer = setTimeout(() => {
      this.#offlineTimer = null;
      this.dispatch({ type: 'offlineTimeout', requestId });
    }, this.#offlineWaitMs);
  }

  #clearOfflineTimer(): void {
    if (this.#offlineTimer) clearTimeout(this.#offlineTimer);
    this.#offlineTimer = null;
  }

  get #callLogCallId(): string | undefined {
    return (this.#callLog.bindings() as { callId?: string }).callId;
  }

  #onRelayEvent(...[type, data]: TerminalEventArgs): void {
    switch (type) {
      case 'call.answered':
        this.dispatch({ type: 'answered', callId: data.callId, officer: data.officer.displayName });
        break;
      case 'call.officerAudio':
        this.dispatch({ type: 'officerAudio', callId: data.callId, producerId: data.producerId });
        break;
      case 'call.ended':
        // The relay lost this terminal's media (a worker died): the warm link is gone with it; build it again before the redial.
        if (data.reason === 'media_failed') this.#media.rebuildLink?.().catch((error: unknown) => this.#log.warn({ err: error }, 'could not rebuild the media link'));
        this.dispatch({ type: 'ended', callId: data.callId, reason: data.reason, freshRequestId: randomUUID() });
        break;
      case 'call.helpDispatched':
        this.dispatch({ type: 'helpDispatched', callId: data.callId });
        break;
      case 'lookin.started':
        this.dispatch({ type: 'lookinStarted', callId: data.callId });
        break;
      case 'update.offer':
        // Not a call matter: the UpdateDownloader (wired in Kiosk.ts) takes it.
        break;
      default:
        this.#log.warn({ type }, 'unhandled relay event');
    }
  }

  /**
   * A media step failed. If the call has already ended (the resident cancelled
   * or the officer hung up while media was still starting) that is the normal
   * race, not a fault: log it quietly; otherwise it is an error.
   */
  #mediaFailed(callId: string, error: unknown, what: string): void {
    if (this.#state.callId !== callId) {
      this.#log.info({ callId, reason: error instanceof Error ? error.message : String(error) }, `${what}: the call had already ended`);
      return;
    }
    this.#callLog.error({ err: error }, what);
  }

  #run(action: CallAction): void {
    const log = this.#callLog;
    switch (action.type) {
      case 'led':
        this.#led.set(action.mode);
        break;
      case 'prompt':
        this.lastPrompt = action.prompt;
        this.#voice.say(action.prompt);
        this.emit('prompt', action.prompt);
        break;
      case 'sendHelpRequest': {
        // Written before it is sent: a crash or outage from here on cannot lose this press.
        const { requestId } = action;
        const { pressedAt } = this.#presses.add(requestId, Date.now());
        // Connected: the call will exist in one round trip; the camera's start-up overlaps it.
        if (this.#signal.ready !== false && this.#media.prepare) this.#media.prepare().catch((error: unknown) => log.warn({ err: error }, 'could not start the camera early'));
        this.#signal.request('help.request', { requestId, pressedAt }).then(
          (r) => {
            this.#presses.markDelivered(requestId, r.callId);
            this.dispatch({ type: 'requestAccepted', callId: r.callId });
            // The outbox courier got there first with a late delivery: that call is already over.
            if (r.missed) this.dispatch({ type: 'ended', callId: r.callId, reason: 'missed', freshRequestId: randomUUID() });
          },
          (error: { code?: string; message?: string }) => {
            log.error({ code: error.code, reason: error.message }, 'help request failed');
            this.dispatch({ type: 'requestFailed', code: error.code ?? 'internal' });
          },
        );
        break;
      }
      case 'sendSms':
        this.#presses.add(action.requestId, Date.now());
        this.#sms.alert(action.requestId);
        break;
      case 'sendCancel':
        this.#signal.request('help.cancel', { callId: action.callId }).catch((error: unknown) => log.warn({ err: error }, 'cancel not delivered'));
        break;
      case 'startMedia':
        this.#media.startCall(action.callId).catch((error: unknown) => this.#mediaFailed(action.callId, error, 'could not start call media'));
        break;
      case 'playOfficerAudio':
        this.#media
          .playOfficerAudio(action.callId, action.producerId)
          .catch((error: unknown) => this.#mediaFailed(action.callId, error, "could not play the officer's audio"));
        break;
      case 'stopMedia':
        this.#media.stopCall().catch((error: unknown) => log.error({ err: error }, 'could not stop call media'));
        break;
    }
  }
}
