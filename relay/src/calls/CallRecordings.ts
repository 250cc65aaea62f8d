import path from 'node:path';
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import type { CallView } from '@helppoint/shared';
import type { CallMediaRepo } from '../db/CallMediaRepo.ts';
import { Recorder } from '../sfu/Recorder.ts';
import type { CallService } from './CallService.ts';

interface Entry {
  recorders: { recorder: Recorder; mediaId: number }[];
  /** A start is in flight for the terminal's streams. */
  startingTerminal: boolean;
  terminalStarted: boolean;
  closed: boolean;
}

/**
 * Records every call as evidence: the terminal's camera and microphone into
 * one WebM from the moment both are live (so the minutes before an answer are
 * kept too), and the answering officer's voice into a second, audio-only
 * file. Files go under <mediaDir>/recordings/<day>/ and are listed with the call.
 */
export class CallRecordings {
  readonly #calls: CallService;
  readonly #media: CallMediaRepo;
  readonly #dir: string;
  readonly #log: Logger;
  readonly #ffmpegPath: string | undefined;
  readonly #entries = new Map<string, Entry>();
  readonly #pending = new Set<Promise<unknown>>();
  readonly #onUpdated = (view: CallView) => this.#maybeStartTerminal(view);
  readonly #onOfficer = (callId: string, producer: types.Producer) => this.#startOfficer(callId, producer);
  readonly #onClosed = (callId: string) => this.#track(this.#stopCall(callId));

  constructor(opts: { calls: CallService; media: CallMediaRepo; mediaDir: string; logger: Logger; ffmpegPath?: string }) {
    this.#calls = opts.calls;
    this.#media = opts.media;
    this.#dir = opts.mediaDir;
    this.#ffmpegPath = opts.ffmpegPath;
    this.#log = opts.logger.child({ component: 'recordings' });
    this.#calls.on('callUpdated', this.#onUpdated);
    this.#calls.on('officerAudio', this.#onOfficer);
    this.#calls.on('callClosed', this.#onClosed);
  }

  /** Calls being recorded right now. */
  get activeCount(): number {
    return [...this.#entries.values()].filter((e) => e.recorders.length > 0).length;
  }

  #entry(callId: string): Entry {
    let e = this.#entries.get(callId);
    if (!e) this.#entries.set(callId, (e = { recorders: [], startingTerminal: false, terminalStarted: false, closed: false }));
    return e;
  }

  #maybeStartTerminal(view: CallView): void {
    if (view.state === 'ended') return;
    const video = view.producers.find((p) => p.kind === 'video');
    const audio = view.producers.find((p) => p.kind === 'audio');
    if (!video || !audio) return;
    const entry = this.#entry(view.id);
    if (entry.closed || entry.startingTerminal || entry.terminalStarted) return;
    entry.startingTerminal = true;
    this.#track(this.#start(view.id, entry, [video, audio], 'terminal').finally(() => {
      entry.startingTerminal = false;
      entry.terminalStarted = true;
    }));
  }

  #startOfficer(callId: string, producer: types.Producer): void {
    const entry = this.#entry(callId);
    if (entry.closed) return;
    this.#track(this.#start(callId, entry, [{ id: producer.id, kind: 'audio' }], 'officer'));
  }

  async #start(callId: string, entry: Entry, producers: { id: string; kind: 'audio' | 'video' }[], who: 'terminal' | 'officer'): Promise<void> {
    const log = this.#log.child({ callId, who });
    const day = new Date().toISOString().slice(0, 10);
    const rel = path.posix.join('recordings', day, `${callId}-${who}-${Date.now()}.webm`);
    let recorder: Recorder;
    try {
      const router = this.#calls.slotForCall(callId).router;
      recorder = await Recorder.start({ router, producers, file: path.join(this.#dir, rel), logger: log, ...(this.#ffmpegPath ? { ffmpegPath: this.#ffmpegPath } : {}) });
    } catch (error) {
      log.error({ err: error }, 'could not start recording');
      return;
    }
    const row = this.#media.add({ callId, kind: 'recording', file: rel, mime: who === 'terminal' ? 'video/webm' : 'audio/webm', bytes: 0, createdAt: recorder.startedAt, finishedAt: null, takenBy: null });
    entry.recorders.push({ recorder, mediaId: row.id });
    // The call may have ended while ffmpeg was starting.
    if (entry.closed) await this.#stopCall(callId);
  }

  async #stopCall(callId: string): Promise<void> {
    const entry = this.#entry(callId);
    entry.closed = true;
    const recorders = entry.recorders.splice(0);
    await Promise.all(
      recorders.map(async ({ recorder, mediaId }) => {
        try {
          const bytes = await recorder.stop();
          this.#media.finish(mediaId, bytes, recorder.stoppedAt ?? Date.now());
        } catch (error) {
          this.#log.error({ err: error, callId }, 'could not finish recording');
        }
      }),
    );
    if (!entry.startingTerminal) this.#entries.delete(callId);
  }

  #track(p: Promise<unknown>): void {
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p));
  }

  /** Waits for starts and stops in flight (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.#pending.size) await Promise.allSettled([...this.#pending]);
  }

  /** Finishes every recording (relay shutdown); idempotent. */
  async close(): Promise<void> {
    this.#calls.off('callUpdated', this.#onUpdated);
    this.#calls.off('officerAudio', this.#onOfficer);
    this.#calls.off('callClosed', this.#onClosed);
    await this.settled();
    await Promise.all([...this.#entries.keys()].map((id) => this.#stopCall(id)));
  }
}
