import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { ChildLike } from './launcher/LaunchedProcess.ts';
import type { ProcessLauncher } from './launcher/ProcessLauncher.ts';

/** How long ffmpeg's RTP read waits for a packet once the call's media stops, before it finishes the file. */
export const IDLE_TIMEOUT_S = 2;

/**
 * ffmpeg reading the SDP of a recording on its stdin and copying its streams
 * into WebM at `out`. ffmpeg opens `out` only once its input is probed, so
 * `out` may be a link made after the start (FfmpegSpare).
 */
export function recorderArgs(out: string): string[] {
  return [
    '-hide_banner', '-nostdin', '-loglevel', 'warning',
    '-protocol_whitelist', 'pipe,udp,rtp',
    // Once the call's media stops, ffmpeg's RTP read gives up after this
    // many idle seconds and finishes the file. (A SIGINT alone is only
    // seen between packets; a second one would abort the trailer.)
    '-listen_timeout', String(IDLE_TIMEOUT_S),
    // ffmpeg learns the video size from the first keyframe; on a busy
    // machine that can take a few requests, so probe for up to 10 s.
    '-analyzeduration', '10000000',
    '-fflags', '+genpts',
    '-f', 'sdp', '-i', 'pipe:0',
    '-map', '0', '-c', 'copy',
    '-f', 'webm', '-y', out,
  ];
}

/** A recording's ffmpeg, told what to record and where once the call's transports exist. */
export interface RecorderProcess {
  readonly child: ChildLike;
  /** Hands over the SDP (ffmpeg binds the RTP ports as it reads it) and where the file goes. */
  begin(sdp: string, file: string): void;
  /** After ffmpeg has exited: removes what begin() left beside the file. */
  cleanup(): void;
}

/** A recording's ffmpeg writing to `out`, waiting for its SDP on stdin. */
function spawnRecorder(ffmpegPath: string, out: string, launcher?: ProcessLauncher): ChildLike {
  const child = launcher ? launcher.spawn(ffmpegPath, recorderArgs(out), { stdin: true }) : spawn(ffmpegPath, recorderArgs(out), { stdio: ['pipe', 'ignore', 'pipe'] });
  // An ffmpeg that died before reading its SDP must not take the relay with it (EPIPE).
  child.stdin?.on('error', () => undefined);
  return child;
}

/** Whether the child and its pipes keep the relay's event loop alive (a waiting spare must not). */
function holdEventLoop(child: ChildLike, hold: boolean): void {
  for (const handle of [child, child.stdin, child.stderr] as unknown as ({ ref?: () => void; unref?: () => void } | null)[]) {
    if (hold) handle?.ref?.();
    else handle?.unref?.();
  }
}

/** Starts ffmpeg at the moment of the recording (what every recording did before FfmpegSpare). */
export function freshRecorderProcess(ffmpegPath = 'ffmpeg', launcher?: ProcessLauncher): (file: string) => RecorderProcess {
  return (file) => {
    const child = spawnRecorder(ffmpegPath, file, launcher);
    return { child, begin: (sdp) => child.stdin?.end(sdp), cleanup: () => undefined };
  };
}

export interface FfmpegSpareOptions {
  /** Where the spare's output link lives (a folder of its own, on the recordings' file system). */
  dir: string;
  logger: Logger;
  ffmpegPath?: string;
  /** Starts the ffmpegs without forking the relay (default: the relay starts them itself). */
  launcher?: ProcessLauncher;
  /** How long after a spare was taken (or the start) the next one is started: outside the press's busy moments. */
  refillAfterMs?: number;
}

/**
 * One ffmpeg started ahead, blocked on reading its SDP from stdin.
 *
 * Starting ffmpeg costs about 0.23 s of CPU (exec and loading its hundred
 * libraries, measured here), and a call's recording starts in the very
 * moments the console is being shown the ring and the first picture: on a
 * 2-core relay that start competed with the press. A spare pays it while
 * nothing happens. Its output is a path in `dir` that does not exist yet;
 * taking the spare links that path to the recording's real file before the
 * SDP goes in, and ffmpeg, which opens its output only after probing its
 * input, writes through the link into the real file (which keeps its name,
 * its database row and its seekable index). The link is removed when the
 * recording ends, and any left by a crash when the next relay starts.
 *
 * A spare that exits on its own is replaced (at most a few times in a row:
 * an ffmpeg that cannot start at all is left to the fresh path, which
 * reports why). When no spare is ready the recording starts its own ffmpeg.
 */
export class FfmpegSpare {
  readonly #dir: string;
  readonly #log: Logger;
  readonly #ffmpegPath: string;
  readonly #refillAfterMs: number;
  readonly #fresh: (file: string) => RecorderProcess;
  readonly #launcher: ProcessLauncher | undefined;
  #spare: { child: ChildLike; out: string } | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #failures = 0;
  #closed = false;

  constructor(opts: FfmpegSpareOptions) {
    this.#dir = opts.dir;
    this.#log = opts.logger.child({ component: 'ffmpeg-spare' });
    this.#ffmpegPath = opts.ffmpegPath ?? 'ffmpeg';
    this.#refillAfterMs = opts.refillAfterMs ?? 2_000;
    this.#launcher = opts.launcher;
    this.#fresh = freshRecorderProcess(this.#ffmpegPath, opts.launcher);
    // Links a crashed relay left behind point at files that are finished now (or never were).
    fs.rmSync(this.#dir, { recursive: true, force: true });
    fs.mkdirSync(this.#dir, { recursive: true });
    this.#schedule(0);
  }

  /** Whether a started ffmpeg is waiting (tests, metrics). */
  get ready(): boolean {
    return this.#spare !== null;
  }

  /** A recording's ffmpeg: the spare if one is waiting (the next is started later), else a fresh one. */
  take(file: string): RecorderProcess {
    const spare = this.#spare;
    this.#spare = null;
    this.#schedule(this.#refillAfterMs);
    if (!spare || spare.child.exitCode !== null || spare.child.signalCode !== null) return this.#fresh(file);
    const { child, out } = spare;
    this.#failures = 0;
    child.removeAllListeners('exit');
    child.removeAllListeners('error');
    child.stderr?.removeAllListeners('data');
    holdEventLoop(child, true);
    return {
      child,
      begin: (sdp, target) => {
        fs.symlinkSync(path.resolve(target), out);
        child.stdin?.end(sdp);
      },
      cleanup: () => fs.rmSync(out, { force: true }),
    };
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const spare = this.#spare;
    this.#spare = null;
    // Nothing was handed to it: it has nothing to finish.
    spare?.child.kill('SIGKILL');
  }

  #schedule(ms: number): void {
    if (this.#closed || this.#timer || this.#spare) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#start();
    }, ms);
    this.#timer.unref?.();
  }

  #start(): void {
    if (this.#closed || this.#spare) return;
    const out = path.join(this.#dir, `${randomUUID()}.webm`);
    const child = spawnRecorder(this.#ffmpegPath, out, this.#launcher);
    const stderr: string[] = [];
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => stderr.push(chunk));
    holdEventLoop(child, false);
    const spare = { child, out };
    this.#spare = spare;
    child.once('error', (err) => this.#lost(spare, String(err)));
    child.once('exit', (code, signal) => this.#lost(spare, `exit ${code ?? signal}: ${stderr.join('').slice(-300)}`));
  }

  #lost(spare: { child: ChildLike }, why: string): void {
    if (this.#spare !== spare) return;
    this.#spare = null;
    if (this.#closed) return;
    this.#failures++;
    if (this.#failures > 3) {
      this.#log.error({ why }, 'the spare ffmpeg for recordings keeps exiting: recordings start their own');
      return;
    }
    this.#log.warn({ why }, 'the spare ffmpeg for recordings exited; starting another');
    this.#schedule(this.#refillAfterMs * this.#failures);
  }
}
