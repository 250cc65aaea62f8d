import { fork, spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import { LaunchedProcess, type ChildLike } from './LaunchedProcess.ts';
import { isRunning } from './procStat.ts';
import type { LauncherEvent, LauncherRequest } from './protocol.ts';

/** How often a process whose launcher died is checked for its end. */
const ORPHAN_POLL_MS = 250;
/** Launchers that die sooner than this after their start count towards giving up. */
const STABLE_MS = 60_000;
const MAX_QUICK_RESTARTS = 3;

export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
}

/**
 * Starts the relay's ffmpeg and ffprobe processes from a small helper process
 * (launcherMain.ts) instead of from the relay itself.
 *
 * Every spawn from Node forks the caller. Forking the relay (hundreds of MB)
 * blocked its event loop while the kernel copied its page tables, and marked
 * every page copy-on-write: each page the relay wrote afterwards faulted once,
 * and the next press paid for those faults. Measured with presses 2.7 s apart
 * (the spare recorder's refill forked the relay 0.7 s before each press): the
 * call's INSERT took 0.4–20 ms instead of 0.2, and press → console socket was
 * p50 21–26 ms, against 10 with recording off and 13 through this launcher.
 * The helper is forked once, while the relay is still small.
 *
 * Until the helper has said it is ready, or after it died and could not be
 * restarted, processes are started directly: a recording never waits for the
 * helper. If the helper dies, the processes it started go on (except those
 * still waiting for input from the relay, which is cut off: they are ended);
 * the relay signals them by pid and watches for their end.
 */
export class ProcessLauncher {
  readonly #log: Logger;
  readonly #live = new Map<number, LaunchedProcess>();
  /** Processes whose launcher died: only their pid reaches them (a new launcher does not know them). */
  readonly #orphans = new Set<number>();
  #helper: ChildProcess | null = null;
  #ready = false;
  #startedAt = 0;
  #quickDeaths = 0;
  #nextId = 1;
  #held = 0;
  #closed = false;

  constructor(opts: { logger: Logger }) {
    this.#log = opts.logger.child({ component: 'launcher' });
    this.#startHelper();
  }

  /** Whether processes are started by the helper now (tests). */
  get viaHelper(): boolean {
    return this.#ready && this.#helper !== null;
  }

  /** Starts `file` with `args`; stdout and stderr are pipes, stdin one if asked for. */
  spawn(file: string, args: string[], opts: { stdin: boolean }): ChildLike {
    const helper = this.#helper;
    if (!this.#ready || !helper?.connected) return spawn(file, args, { stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const id = this.#nextId++;
    const proc = new LaunchedProcess(
      id,
      {
        stdin: (i, data) => this.#send({ t: 'stdin', id: i, data }),
        stdinEnd: (i) => this.#send({ t: 'stdinEnd', id: i }),
        kill: (i, signal) => this.#kill(i, signal),
        hold: (delta) => this.#hold(delta),
      },
      opts.stdin,
    );
    this.#live.set(id, proc);
    proc.once('exit', () => this.#live.delete(id));
    this.#send({ t: 'spawn', id, file, args, stdin: opts.stdin });
    return proc;
  }

  /** Runs `file` to its end and collects its stdout (ffprobe); killed after `timeoutMs`. */
  execFile(file: string, args: string[], opts: { timeoutMs: number }): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      const child = this.spawn(file, args, { stdin: false });
      const out: Buffer[] = [];
      child.stdout?.on('data', (d: Buffer) => out.push(Buffer.from(d)));
      child.stderr?.resume();
      const timer = setTimeout(() => child.kill('SIGTERM'), opts.timeoutMs);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        // 'exit' can come before the last of stdout has been read out (a ChildProcess, or the launcher's stream).
        const done = () => resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8') });
        const stdout = child.stdout as (NodeJS.ReadableStream & { readableEnded?: boolean }) | null;
        if (stdout && !stdout.readableEnded) stdout.once('end', done);
        else done();
      });
    });
  }

  /** The helper goes; what it started finishes on its own (the recorders stop theirs first). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const helper = this.#helper;
    this.#helper = null;
    this.#ready = false;
    if (helper?.connected) helper.disconnect();
  }

  #startHelper(): void {
    this.#ready = false;
    this.#startedAt = Date.now();
    let helper: ChildProcess;
    try {
      helper = fork(new URL('./launcherMain.ts', import.meta.url), [], {
        serialization: 'advanced',
        // Not the relay's V8 flags (heap sizes, inspector): it is a small process.
        execArgv: [],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
    } catch (err) {
      this.#log.error({ err }, 'process launcher could not start: processes are started by the relay itself');
      return;
    }
    this.#helper = helper;
    helper.on('message', (event: LauncherEvent) => this.#onEvent(event));
    helper.on('error', (err) => this.#log.warn({ err }, 'process launcher error'));
    helper.once('exit', (code, signal) => this.#onHelperExit(helper, code, signal));
    this.#applyHold();
  }

  #onEvent(event: LauncherEvent): void {
    if (event.t === 'ready') {
      this.#ready = true;
      this.#log.debug({ pid: this.#helper?.pid }, 'process launcher ready');
      return;
    }
    const proc = this.#live.get(event.id);
    if (!proc) return;
    if (event.t === 'spawned') proc.spawned(event.pid);
    else if (event.t === 'stdout' || event.t === 'stderr') proc.output(event.t, Buffer.from(event.data));
    else if (event.t === 'error') proc.failed(Object.assign(new Error(event.message), { code: event.code ?? undefined }));
    else if (event.t === 'exit') proc.exited(event.code, event.signal);
  }

  #onHelperExit(helper: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#helper === helper) {
      this.#helper = null;
      this.#ready = false;
    }
    // What it started runs on without it: watch those by pid. Those it had not started yet never will be, and
    // those still waiting for their input (a spare ffmpeg before its SDP) can no longer get it: they end now,
    // so a recording takes a fresh ffmpeg instead of one that would never start.
    for (const proc of this.#live.values()) {
      if (proc.pid === undefined) proc.exited(null, 'SIGKILL');
      else if (proc.awaitingInput) {
        if (isRunning(proc.pid)) process.kill(proc.pid, 'SIGKILL');
        proc.exited(null, 'SIGKILL');
      } else this.#watchOrphan(proc);
    }
    if (this.#closed) return;
    this.#quickDeaths = Date.now() - this.#startedAt < STABLE_MS ? this.#quickDeaths + 1 : 1;
    if (this.#quickDeaths > MAX_QUICK_RESTARTS) {
      this.#log.error({ code, signal }, 'process launcher keeps exiting: processes are started by the relay itself from now on');
      return;
    }
    this.#log.warn({ code, signal, orphans: this.#live.size }, 'process launcher exited; starting another');
    this.#startHelper();
  }

  #watchOrphan(proc: LaunchedProcess): void {
    this.#orphans.add(proc.id);
    proc.once('exit', () => this.#orphans.delete(proc.id));
    const timer = setInterval(() => {
      if (!isRunning(proc.pid!)) {
        clearInterval(timer);
        proc.exited(null, null);
      }
    }, ORPHAN_POLL_MS);
    timer.unref();
    proc.once('exit', () => clearInterval(timer));
  }

  #kill(id: number, signal: NodeJS.Signals): void {
    const proc = this.#live.get(id);
    if (!proc) return;
    if (!this.#orphans.has(id) && this.#helper?.connected && this.#ready) this.#send({ t: 'kill', id, signal });
    else if (proc.pid !== undefined && isRunning(proc.pid)) process.kill(proc.pid, signal);
  }

  #send(req: LauncherRequest): void {
    if (this.#helper?.connected) this.#helper.send(req);
  }

  /** Running processes keep the event loop alive, as a ChildProcess does; an idle helper does not. */
  #hold(delta: 1 | -1): void {
    this.#held += delta;
    this.#applyHold();
  }

  #applyHold(): void {
    const helper = this.#helper;
    if (!helper) return;
    const channel = helper.channel as { ref?: () => void; unref?: () => void } | undefined;
    if (this.#held > 0) {
      helper.ref();
      channel?.ref?.();
    } else {
      helper.unref();
      channel?.unref?.();
    }
  }
}
