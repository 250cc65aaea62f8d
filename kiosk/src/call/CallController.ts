import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { TypedEmitter, type EndReason, type EventData, type TerminalEvents } from '@helppoint/shared';
import type { Button } from '../hw/Button.ts';
import type { Led } from '../hw/Led.ts';
import { IDLE, transition, type CallAction, type CallEvent, type CallState, type Prompt } from './CallMachine.ts';

/** What the controller needs from the signalling client. */
export interface ControllerSignal {
  request<T>(type: string, data: unknown): Promise<T>;
  on(event: 'event', fn: (type: string, data: unknown) => void): unknown;
  on(event: 'disconnected', fn: (reason: string) => void): unknown;
}

/** What the controller needs from the media session. */
export interface ControllerMedia {
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
  #callLog: Logger;
  lastPrompt: Prompt | null = null;

  constructor(opts: { signal: ControllerSignal; media: ControllerMedia; button: Button; led: Led; voice: VoicePrompter; logger: Logger }) {
    super();
    this.#signal = opts.signal;
    this.#media = opts.media;
    this.#led = opts.led;
    this.#voice = opts.voice;
    this.#log = opts.logger.child({ component: 'call' });
    this.#callLog = this.#log;
    this.onListenerError = (error, event) => this.#log.error({ err: error, event }, 'call listener failed');
    opts.button.on('press', () => this.dispatch({ type: 'press', requestId: randomUUID() }));
    opts.button.on('long-press', () => this.dispatch({ type: 'longPress' }));
    opts.signal.on('event', (type, data) => this.#onRelayEvent(type, data));
    opts.signal.on('disconnected', () => this.dispatch({ type: 'disconnected' }));
  }

  get state(): CallState {
    return this.#state;
  }

  dispatch(event: CallEvent): void {
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
    if (next.state.name === 'idle') this.#callLog = this.#log;
    this.emit('state', this.#state);
  }

  get #callLogCallId(): string | undefined {
    return (this.#callLog.bindings() as { callId?: string }).callId;
  }

  #onRelayEvent(type: string, data: unknown): void {
    switch (type) {
      case 'call.answered': {
        const d = data as EventData<typeof TerminalEvents, 'call.answered'>;
        this.dispatch({ type: 'answered', callId: d.callId, officer: d.officer.displayName });
        break;
      }
      case 'call.officerAudio': {
        const d = data as EventData<typeof TerminalEvents, 'call.officerAudio'>;
        this.dispatch({ type: 'officerAudio', callId: d.callId, producerId: d.producerId });
        break;
      }
      case 'call.ended': {
        const d = data as EventData<typeof TerminalEvents, 'call.ended'>;
        this.dispatch({ type: 'ended', callId: d.callId, reason: d.reason as EndReason });
        break;
      }
      default:
        this.#log.warn({ type }, 'unhandled relay event');
    }
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
      case 'sendHelpRequest':
        this.#signal.request<{ callId: string; created: boolean }>('help.request', { requestId: action.requestId }).then(
          (r) => this.dispatch({ type: 'requestAccepted', callId: r.callId }),
          (error: { code?: string; message?: string }) => {
            log.error({ code: error.code, reason: error.message }, 'help request failed');
            this.dispatch({ type: 'requestFailed', code: error.code ?? 'internal' });
          },
        );
        break;
      case 'sendCancel':
        this.#signal.request('help.cancel', { callId: action.callId }).catch((error: unknown) => log.warn({ err: error }, 'cancel not delivered'));
        break;
      case 'startMedia':
        this.#media.startCall(action.callId).catch((error: unknown) => log.error({ err: error }, 'could not start call media'));
        break;
      case 'playOfficerAudio':
        this.#media
          .playOfficerAudio(action.callId, action.producerId)
          .catch((error: unknown) => log.error({ err: error }, "could not play the officer's audio"));
        break;
      case 'stopMedia':
        this.#media.stopCall().catch((error: unknown) => log.error({ err: error }, 'could not stop call media'));
        break;
    }
  }
}
