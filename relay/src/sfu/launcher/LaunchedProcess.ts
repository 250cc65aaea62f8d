import { EventEmitter } from 'node:events';
import { PassThrough, Writable } from 'node:stream';

/**
 * What the relay's recorders use of a child process: a node ChildProcess has it, and so has a
 * LaunchedProcess (a process the launcher started).
 */
export interface ChildLike {
  readonly pid?: number | undefined;
  readonly exitCode: number | null;
  readonly signalCode: NodeJS.Signals | null;
  readonly stdin: Writable | null;
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: (NodeJS.ReadableStream & { setEncoding(enc: BufferEncoding): unknown }) | null;
  kill(signal?: NodeJS.Signals): boolean;
  ref(): void;
  unref(): void;
  on(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  once(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): this;
  once(event: 'error', listener: (err: Error) => void): this;
  removeAllListeners(event?: string): this;
}

/** How a LaunchedProcess reaches its launcher. */
export interface LauncherLink {
  stdin(id: number, data: Buffer): void;
  stdinEnd(id: number): void;
  kill(id: number, signal: NodeJS.Signals): void;
  hold(delta: 1 | -1): void;
}

/**
 * A process the launcher started, seen from the relay: the launcher forwards its output and its
 * end, and passes on what the relay writes to it and the signals it sends.
 */
export class LaunchedProcess extends EventEmitter implements ChildLike {
  readonly id: number;
  pid: number | undefined = undefined;
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  readonly stdin: Writable | null;
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly #link: LauncherLink;
  #held = false;
  #ended = false;
  #inputEnded: boolean;

  constructor(id: number, link: LauncherLink, withStdin: boolean) {
    super();
    this.id = id;
    this.#link = link;
    this.#inputEnded = !withStdin;
    this.stdin = withStdin
      ? new Writable({
          write: (chunk: Buffer, _enc, done) => {
            if (!this.#ended) link.stdin(id, Buffer.from(chunk));
            done();
          },
          final: (done) => {
            this.#inputEnded = true;
            if (!this.#ended) link.stdinEnd(id);
            done();
          },
        })
      : null;
    // Like a ChildProcess: a running process keeps the relay's event loop alive until unref().
    this.ref();
  }

  /** Whether it still waits for input from the relay (a spare ffmpeg before its SDP). */
  get awaitingInput(): boolean {
    return !this.#inputEnded && !this.#ended;
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    if (this.#ended) return false;
    this.#link.kill(this.id, signal);
    return true;
  }

  ref(): void {
    if (this.#held || this.#ended) return;
    this.#held = true;
    this.#link.hold(1);
  }

  unref(): void {
    if (!this.#held) return;
    this.#held = false;
    this.#link.hold(-1);
  }

  /** The launcher started it. */
  spawned(pid: number): void {
    this.pid = pid;
    this.emit('spawn');
  }

  output(stream: 'stdout' | 'stderr', data: Buffer): void {
    this[stream].write(data);
  }

  failed(err: Error): void {
    this.emit('error', err);
  }

  /** It exited (its output is all in), or the launcher is gone and so is it. */
  exited(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#ended) return;
    this.#ended = true;
    this.unref();
    this.exitCode = code;
    this.signalCode = signal;
    this.stdout.end();
    this.stderr.end();
    this.emit('exit', code, signal);
    this.emit('close', code, signal);
  }
}
