import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';
import { Backoff } from '@helppoint/shared';
import type { BackoffOptions } from '@helppoint/shared';
import { TypedEmitter } from '@helppoint/shared';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when stop() asked for it; false for a crash or an unplugged device. */
  expected: boolean;
  /** The last lines ffmpeg printed, which usually say why it died. */
  stderrTail: string;
}

export type SupervisedProcessEvents = {
  spawn: [pid: number];
  stdout: [chunk: Buffer];
  exit: [info: ExitInfo];
  'restart-scheduled': [delayMs: number];
};

export interface SupervisedProcessOptions {
  command: string;
  args: string[];
  /** Names the process in logs (e.g. 'camera'). */
  name: string;
  logger?: Logger;
  /** Pipe stdin so the owner can feed the child (speaker). */
  stdin?: boolean;
  /**
   * true: respawn after an unexpected exit once the backoff delay passes.
   * false: stay down until the owner calls ensureRunning() (no point in
   * keeping a speaker process alive while nobody talks).
   */
  autoRestart?: boolean;
  backoff?: BackoffOptions;
  /** A run that lasted this long was healthy, so the backoff starts over. */
  stableAfterMs?: number;
  /** Grace period between SIGTERM and SIGKILL in stop(). */
  killTimeoutMs?: number;
  now?: () => number;
}

const STDERR_TAIL_LINES = 12;

/** Runs one child (ffmpeg) and keeps it running until stop(). */
export class SupervisedProcess extends TypedEmitter<SupervisedProcessEvents> {
  readonly name: string;
  #opts: SupervisedProcessOptions;
  #logger: Logger | undefined;
  #backoff: Backoff;
  #now: () => number;
  #child: ChildProcess | null = null;
  #childGone: Promise<void> | null = null;
  #wanted = false;
  #stopping = false;
  #restartTimer: ReturnType<typeof setTimeout> | null = null;
  #nextSpawnAtMs = 0;
  #spawnedAtMs = 0;
  #spawnCount = 0;
  #stderr: string[] = [];

  constructor(opts: SupervisedProcessOptions) {
    super({ logger: opts.logger });
    this.name = opts.name;
    this.#opts = opts;
    this.#logger = opts.logger;
    this.#backoff = new Backoff(opts.backoff);
    this.#now = opts.now ?? (() => performance.now());
  }

  get pid(): number | null {
    return this.#child?.pid ?? null;
  }

  get running(): boolean {
    return this.#child !== null;
  }

  /** Number of times a child was spawned (1 = never restarted). */
  get spawnCount(): number {
    return this.#spawnCount;
  }

  /** Bytes written to stdin but not yet taken by the child. */
  get stdinBacklog(): number {
    return this.#child?.stdin?.writableLength ?? 0;
  }

  /**
   * Spawns the first child. Resolves once it runs; rejects when the command
   * cannot be started at all (e.g. ffmpeg not installed), since retrying that
   * would never help.
   */
  async start(): Promise<void> {
    if (this.#wanted) throw new Error(`${this.name}: already started`);
    this.#wanted = true;
    this.#stopping = false;
    const child = this.#spawn();
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (err) => {
        this.#wanted = false;
        reject(new Error(`${this.name}: cannot start ${this.#opts.command}`, { cause: err }));
      });
    });
  }

  /**
   * For autoRestart=false: spawns a child if none runs and the backoff delay
   * since the last crash has passed. Returns whether a child is running now.
   */
  ensureRunning(): boolean {
    if (this.#child) return true;
    if (!this.#wanted || this.#stopping || this.#now() < this.#nextSpawnAtMs) return false;
    this.#spawn();
    return this.#child !== null;
  }

  /** Writes to the child's stdin; false when there is no child to take it. */
  writeStdin(data: Uint8Array): boolean {
    const stdin = this.#child?.stdin;
    if (!stdin || !stdin.writable) return false;
    stdin.write(data);
    return true;
  }

  /** SIGTERM, then SIGKILL after killTimeoutMs. Safe to call twice. */
  async stop(): Promise<void> {
    this.#wanted = false;
    this.#stopping = true;
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    this.#restartTimer = null;
    const child = this.#child;
    const gone = this.#childGone;
    if (!child || !gone) return;
    child.stdin?.end();
    child.kill('SIGTERM');
    const timeoutMs = this.#opts.killTimeoutMs ?? 2000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const exited = await Promise.race([
      gone.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (!exited) {
      this.#logger?.warn({ process: this.name, pid: child.pid }, 'child ignored SIGTERM; sending SIGKILL');
      child.kill('SIGKILL');
      await gone;
    }
  }

  #spawn(): ChildProcess {
    this.#spawnCount += 1;
    this.#stderr = [];
    this.#spawnedAtMs = this.#now();
    const child = spawn(this.#opts.command, this.#opts.args, {
      stdio: [this.#opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    this.#childGone = new Promise<void>((resolve) => {
      child.once('close', (code, signal) => {
        this.#onGone(child, code, signal);
        resolve();
      });
    });
    child.on('error', (err) => {
      this.#logger?.error({ err, process: this.name }, 'child process error');
    });
    child.once('spawn', () => {
      if (child.pid !== undefined) this.emit('spawn', child.pid);
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      // Late output of a child we already gave up on must not be mixed into
      // the next child's stream.
      if (this.#child === child) this.emit('stdout', chunk);
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => this.#keepStderr(text));
    // EPIPE when the child dies mid-write: the close handler deals with it.
    child.stdin?.on('error', (err) => this.#logger?.debug({ err, process: this.name }, 'stdin closed'));
    this.#logger?.debug({ process: this.name, pid: child.pid, args: this.#opts.args }, 'spawned');
    return child;
  }

  #onGone(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#child !== child) return;
    this.#child = null;
    this.#childGone = null;
    const expected = this.#stopping || !this.#wanted;
    const info: ExitInfo = { code, signal, expected, stderrTail: this.#stderr.join('\n') };
    if (expected) {
      this.#logger?.debug({ process: this.name, code, signal }, 'stopped');
      this.emit('exit', info);
      return;
    }
    if (this.#now() - this.#spawnedAtMs >= (this.#opts.stableAfterMs ?? 5000)) this.#backoff.reset();
    const delayMs = this.#backoff.next();
    this.#nextSpawnAtMs = this.#now() + delayMs;
    this.#logger?.warn(
      { process: this.name, code, signal, stderr: info.stderrTail, restartInMs: delayMs },
      'child exited unexpectedly',
    );
    this.emit('exit', info);
    if (this.#opts.autoRestart === false) return;
    this.emit('restart-scheduled', delayMs);
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = null;
      if (this.#wanted && !this.#child) this.#spawn();
    }, delayMs);
  }

  #keepStderr(text: string): void {
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      this.#stderr.push(line.trimEnd());
    }
    if (this.#stderr.length > STDERR_TAIL_LINES) this.#stderr.splice(0, this.#stderr.length - STDERR_TAIL_LINES);
  }
}
