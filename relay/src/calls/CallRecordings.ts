import path from 'node:path';
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import type { CallView } from '@helppoint/shared';
import type { CallMediaRepo } from '../db/CallMediaRepo.ts';
import { Recorder } from '../sfu/Recorder.ts';
import type { ProcessLauncher } from '../sfu/launcher/ProcessLauncher.ts';
import { FfmpegSpare, freshRecorderProcess, type RecorderProcess } from '../sfu/RecorderFfmpeg.ts';
import type { CallService } from './CallService.ts';

type Who = 'terminal' | 'officer';
type Source = { id: string; kind: 'audio' | 'video' };

/** One file of a lane: the recording of one set of producers. */
interface Segment {
  recorder: Recorder;
  mediaId: number;
  /** Which segment of its lane this is, from 1. */
  n: number;
  key: string;
}

/** The terminal's recording or the officer's: a run of numbered segments. */
interface Lane {
  current: Segment | null;
  /** A segment's ffmpeg is starting. */
  starting: boolean;
  count: number;
  /** The producer set whose start failed: not retried, so a broken ffmpeg does not loop. */
  failedKey: string | null;
}

interface Entry {
  log: Logger;
  lanes: Record<Who, Lane>;
  /** The terminal's producers as last published by the call service. */
  terminal: Source[];
  /** The officer's live microphone, if any. */
  officer: Source | null;
  closed: boolean;
}

const keyOf = (sources: Source[]) => sources.map((s) => s.id).join('+');
/** How long a recording waits for a console to ask for the picture before it asks itself (#whenViewed). */
const VIEWER_WAIT_MS = 1_000;

/**
 * Records every call as evidence: the terminal's camera and microphone into
 * WebM from the moment both are live (so the minutes before an answer are
 * kept too), and the answering officer's voice into audio-only WebM. Files go
 * under <mediaDir>/recordings/<day>/ and are listed with the call.
 *
 * A call's media can be re-joined after a network fault (new transport, new
 * producers, the old ones close). Each side's recording is therefore a run of
 * numbered segments: when the recorded producers close or are replaced, that
 * segment's ffmpeg finishes its file and the new producers start the next one,
 * so the evidence continues in order instead of stopping at the first fault.
 */
export class CallRecordings {
  readonly #calls: CallService;
  readonly #media: CallMediaRepo;
  readonly #dir: string;
  readonly #log: Logger;
  /** Each recording's own ffmpeg, when no spare is kept. */
  readonly #fresh: (file: string) => RecorderProcess;
  /** An ffmpeg started ahead for the next recording (null: each recording starts its own). */
  readonly #spare: FfmpegSpare | null;
  readonly #entries = new Map<string, Entry>();
  readonly #pending = new Set<Promise<unknown>>();
  readonly #onUpdated = (view: CallView) => this.#terminalChanged(view);
  readonly #onOfficer = (callId: string, producer: types.Producer) => this.#officerChanged(callId, producer);
  readonly #onClosed = (callId: string) => this.#callClosed(callId);
  readonly #onViewed = (producerId: string) => this.#viewed(producerId);
  /** Video producers a console has resumed a consumer of, and recordings waiting for that (resumeWhen). */
  readonly #viewedProducers = new Set<string>();
  readonly #viewWaiters = new Map<string, (() => void)[]>();

  /** False while recording must not write (the disk guard found the disk nearly full). */
  readonly #mayRecord: () => boolean;

  constructor(opts: {
    calls: CallService;
    media: CallMediaRepo;
    mediaDir: string;
    logger: Logger;
    ffmpegPath?: string;
    mayRecord?: () => boolean;
    spareFfmpeg?: boolean;
    /** Starts the recorders' ffmpegs without forking the relay (default: the relay starts them itself). */
    launcher?: ProcessLauncher;
  }) {
    this.#mayRecord = opts.mayRecord ?? (() => true);
    this.#calls = opts.calls;
    this.#media = opts.media;
    this.#dir = opts.mediaDir;
    this.#log = opts.logger.child({ component: 'recordings' });
    // Beside recordings/, on the same disk; its links are removed as each recording ends.
    this.#spare =
      opts.spareFfmpeg === false
        ? null
        : new FfmpegSpare({
            dir: path.join(opts.mediaDir, '.ffmpeg-spare'),
            logger: this.#log,
            ...(opts.ffmpegPath ? { ffmpegPath: opts.ffmpegPath } : {}),
            ...(opts.launcher ? { launcher: opts.launcher } : {}),
          });
    this.#fresh = freshRecorderProcess(opts.ffmpegPath, opts.launcher);
    this.#calls.on('callUpdated', this.#onUpdated);
    this.#calls.on('officerAudio', this.#onOfficer);
    this.#calls.on('callClosed', this.#onClosed);
    this.#calls.on('producerViewed', this.#onViewed);
  }

  #viewed(producerId: string): void {
    this.#viewedProducers.add(producerId);
    for (const resolve of this.#viewWaiters.get(producerId) ?? []) resolve();
    this.#viewWaiters.delete(producerId);
  }

  /**
   * Resolves once a console has asked for this camera's picture, or after VIEWER_WAIT_MS when none does
   * (no console previewing): the recording's own keyframe request then comes after the console's, and
   * its consumer takes the same keyframe. The start of the call is in the terminal's pre-press clip
   * (3 s before and after the press) either way.
   */
  #whenViewed(producerId: string): Promise<void> {
    if (this.#viewedProducers.has(producerId)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, VIEWER_WAIT_MS);
      timer.unref?.();
      const list = this.#viewWaiters.get(producerId) ?? [];
      list.push(() => {
        clearTimeout(timer);
        resolve();
      });
      this.#viewWaiters.set(producerId, list);
    });
  }

  /** Calls being recorded right now. */
  get activeCount(): number {
    return [...this.#entries.values()].filter((e) => e.lanes.terminal.current || e.lanes.officer.current).length;
  }

  #entry(callId: string): Entry {
    let e = this.#entries.get(callId);
    if (!e) {
      const lane = (): Lane => ({ current: null, starting: false, count: 0, failedKey: null });
      e = { log: this.#log.child({ callId }), lanes: { terminal: lane(), officer: lane() }, terminal: [], officer: null, closed: false };
      this.#entries.set(callId, e);
    }
    return e;
  }

  #terminalChanged(view: CallView): void {
    if (view.state === 'ended') return;
    // Calls that never had media need no entry.
    if (!view.producers.length && !this.#entries.has(view.id)) return;
    const entry = this.#entry(view.id);
    entry.terminal = view.producers.map((p) => ({ id: p.id, kind: p.kind }));
    this.#reconcile(view.id, entry, 'terminal');
  }

  #officerChanged(callId: string, producer: types.Producer): void {
    const entry = this.#entry(callId);
    if (entry.closed) return;
    const source: Source = { id: producer.id, kind: 'audio' };
    entry.officer = source;
    producer.observer.once('close', () => {
      if (entry.officer !== source) return;
      entry.officer = null;
      this.#reconcile(callId, entry, 'officer');
    });
    this.#reconcile(callId, entry, 'officer');
  }

  #callClosed(callId: string): void {
    const entry = this.#entries.get(callId);
    if (!entry) return;
    entry.closed = true;
    // A terminal's standing producers outlive the call: the next call's recording waits for its own viewer.
    for (const s of entry.terminal) {
      this.#viewedProducers.delete(s.id);
      this.#viewWaiters.delete(s.id);
    }
    this.#reconcile(callId, entry, 'terminal');
    this.#reconcile(callId, entry, 'officer');
  }

  /** What a lane should be recording now: the newest camera and microphone, or the officer's mic. */
  #wanted(entry: Entry, who: Who): Source[] | null {
    if (entry.closed || !this.#mayRecord()) return null;
    if (who === 'officer') return entry.officer ? [entry.officer] : null;
    const video = entry.terminal.findLast((p) => p.kind === 'video');
    const audio = entry.terminal.findLast((p) => p.kind === 'audio');
    return video && audio ? [video, audio] : null;
  }

  /**
   * Brings a lane in line with the call's producers: a segment whose producers
   * are gone is finished (in the background, so the next one starts at once)
   * and new producers start the next segment. Runs again after each start.
   */
  #reconcile(callId: string, entry: Entry, who: Who): void {
    const lane = entry.lanes[who];
    if (lane.starting) return;
    const wanted = this.#wanted(entry, who);
    const key = wanted ? keyOf(wanted) : null;
    if (lane.current && lane.current.key !== key) {
      const seg = lane.current;
      lane.current = null;
      this.#track(this.#finish(entry, who, seg, entry.closed ? 'call ended' : 'producers closed or replaced'));
    }
    if (!lane.current && wanted && key !== lane.failedKey) {
      lane.starting = true;
      this.#track(
        this.#start(callId, entry, who, wanted, key!).finally(() => {
          lane.starting = false;
          this.#reconcile(callId, entry, who);
        }),
      );
    }
    if (entry.closed && !entry.lanes.terminal.starting && !entry.lanes.officer.starting && !entry.lanes.terminal.current && !entry.lanes.officer.current) {
      this.#entries.delete(callId);
    }
  }

  async #start(callId: string, entry: Entry, who: Who, producers: Source[], key: string): Promise<void> {
    const lane = entry.lanes[who];
    const n = lane.count + 1;
    const log = entry.log.child({ who, segment: n });
    const day = new Date().toISOString().slice(0, 10);
    const rel = path.posix.join('recordings', day, `${callId}-${who}-${n}-${Date.now()}.webm`);
    let recorder: Recorder;
    try {
      const router = this.#calls.slotForCall(callId).router;
      const spare = this.#spare;
      const video = who === 'terminal' ? producers.find((p) => p.kind === 'video') : undefined;
      recorder = await Recorder.start({
        router,
        producers,
        file: path.join(this.#dir, rel),
        logger: log,
        launch: spare ? (file: string) => spare.take(file) : this.#fresh,
        ...(video ? { resumeWhen: this.#whenViewed(video.id) } : {}),
      });
    } catch (error) {
      lane.failedKey = key;
      log.error({ err: error, producerIds: producers.map((p) => p.id) }, 'could not start recording segment');
      return;
    }
    lane.count = n;
    const row = this.#media.add({ callId, kind: 'recording', file: rel, mime: who === 'terminal' ? 'video/webm' : 'audio/webm', bytes: 0, createdAt: recorder.startedAt, finishedAt: null, takenBy: null });
    lane.current = { recorder, mediaId: row.id, n, key };
    log.info({ mediaId: row.id, file: rel, producerIds: producers.map((p) => p.id) }, 'recording segment started');
  }

  async #finish(entry: Entry, who: Who, seg: Segment, why: string): Promise<void> {
    try {
      const bytes = await seg.recorder.stop();
      this.#media.finish(seg.mediaId, bytes, seg.recorder.stoppedAt ?? Date.now());
      entry.log.info({ who, segment: seg.n, mediaId: seg.mediaId, bytes, why }, 'recording segment stopped');
    } catch (error) {
      entry.log.error({ err: error, who, segment: seg.n }, 'could not finish recording segment');
    }
  }

  /** Re-applies mayRecord to every call: stops segments when recording was paused, starts them when it resumes. */
  recheck(): void {
    for (const [callId, entry] of [...this.#entries]) {
      entry.lanes.terminal.failedKey = null;
      entry.lanes.officer.failedKey = null;
      this.#reconcile(callId, entry, 'terminal');
      this.#reconcile(callId, entry, 'officer');
    }
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
    this.#calls.off('producerViewed', this.#onViewed);
    for (const id of [...this.#entries.keys()]) this.#callClosed(id);
    this.#spare?.close();
    await this.settled();
  }
}
