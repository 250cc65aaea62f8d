import type { Logger } from 'pino';
import { TypedEmitter } from '@helppoint/shared';
import { ModemError } from './Modem.ts';

export interface AtCommandOptions {
  /** Which lines are this command's answer; others are unsolicited (URCs). Default: none expected. */
  accept?: (line: string) => boolean;
  timeoutMs?: number;
  /** For AT+CMGS: text to send once the modem shows its "> " prompt (Ctrl-Z is appended). */
  payload?: string;
}

interface Pending {
  cmd: string;
  opts: AtCommandOptions;
  lines: string[];
  promptSent: boolean;
  resolve: (lines: string[]) => void;
  reject: (err: Error) => void;
  timer: ReturnType<typeof setTimeout> | null;
}

export interface AtChannelOptions {
  write: (data: string) => void;
  logger?: Logger;
  timeoutMs?: number;
  /** After a timeout, wait for this much silence before the next command so a late answer is not taken for its. */
  quietMs?: number;
}

/** Longest line kept; a modem spewing bytes without a line end is cut here. */
const MAX_LINE = 512;

/**
 * Talks AT over any byte stream: one command at a time, the answer told apart
 * from command echo, unsolicited result codes (URCs) and line noise. Raw bytes
 * come in through feed() rather than a line parser because the SMS prompt
 * ("> ") has no line end.
 */
export class AtChannel extends TypedEmitter<{ urc: [string] }> {
  readonly #opts: AtChannelOptions;
  readonly #log: Logger | undefined;
  #buf = '';
  #pending: Pending | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  #lastInputAt = 0;
  #timedOutAt = 0;
  #dirty = false;
  #failed: ModemError | null = null;

  constructor(opts: AtChannelOptions) {
    super({ logger: opts.logger });
    this.#opts = opts;
    this.#log = opts.logger;
  }

  /** Runs one command; resolves with the lines that answer it (not echo, not URCs, not OK). */
  command(cmd: string, opts: AtCommandOptions = {}): Promise<string[]> {
    const run = () => this.#run(cmd, opts);
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  feed(chunk: Buffer | string): void {
    this.#lastInputAt = performance.now();
    // Anything outside printable ASCII is line noise (or a baud mismatch);
    // CR and LF end lines; Ctrl-Z and friends are dropped.
    const text = (typeof chunk === 'string' ? chunk : chunk.toString('latin1')).replace(/[^\r\n\x20-\x7e]/g, '');
    this.#buf += text;
    for (;;) {
      const m = /[\r\n]/.exec(this.#buf);
      if (!m) break;
      const line = this.#buf.slice(0, m.index).trim();
      this.#buf = this.#buf.slice(m.index + 1);
      if (line) this.#line(line);
    }
    if (this.#buf.length > MAX_LINE) {
      this.#log?.warn({ bytes: this.#buf.length }, 'modem sent a run of bytes without a line end; dropped');
      this.#buf = '';
    }
    const p = this.#pending;
    if (p?.opts.payload !== undefined && !p.promptSent && this.#buf.trimStart().startsWith('>')) {
      p.promptSent = true;
      this.#buf = '';
      this.#opts.write(`${p.opts.payload}\x1a`);
    }
  }

  /** The port is gone: fail the command in flight and every one after it until reset(). */
  fail(reason: string): void {
    this.#failed = new ModemError('gone', reason);
    this.#buf = '';
    const p = this.#pending;
    if (p) this.#finish(p, this.#failed);
  }

  /** A fresh port: commands may run again. */
  reset(): void {
    this.#failed = null;
    this.#buf = '';
    this.#dirty = false;
  }

  async #run(cmd: string, opts: AtCommandOptions): Promise<string[]> {
    if (this.#failed) throw this.#failed;
    if (this.#dirty) await this.#waitQuiet();
    if (this.#failed) throw this.#failed;
    this.#dirty = false;
    this.#buf = '';
    return new Promise<string[]>((resolve, reject) => {
      const p: Pending = { cmd, opts, lines: [], promptSent: false, resolve, reject, timer: null };
      const timeoutMs = opts.timeoutMs ?? this.#opts.timeoutMs ?? 2000;
      p.timer = setTimeout(() => {
        this.#dirty = true;
        this.#timedOutAt = performance.now();
        // A modem still waiting at its "> " prompt would take the next commands for message text: Esc cancels it.
        if (opts.payload !== undefined) this.#writeQuietly('\x1b');
        this.#finish(p, new ModemError('timeout', `no answer to ${cmd} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending = p;
      try {
        this.#opts.write(`${cmd}\r`);
      } catch (err) {
        this.#finish(p, new ModemError('gone', `cannot write to the modem: ${err instanceof Error ? err.message : String(err)}`));
      }
    });
  }

  #writeQuietly(data: string): void {
    try {
      this.#opts.write(data);
    } catch {
      /* the port is gone; the next command reports it */
    }
  }

  #line(line: string): void {
    const p = this.#pending;
    if (!p) {
      if (line === 'OK' || line.includes('ERROR')) this.#log?.debug({ line }, 'stray result code from the modem; ignored');
      else this.emit('urc', line);
      return;
    }
    if (line.toUpperCase() === p.cmd.toUpperCase()) return; // echo (ATE1, or a modem that ignored ATE0)
    if (line === 'OK') return this.#finish(p, null);
    if (line === 'ERROR' || /^\+CM[ES] ERROR:/.test(line)) return this.#finish(p, new ModemError('at_error', `${p.cmd}: ${line}`));
    if (p.opts.accept?.(line)) {
      p.lines.push(line);
      return;
    }
    this.emit('urc', line);
  }

  #finish(p: Pending, err: Error | null): void {
    if (this.#pending !== p) return;
    this.#pending = null;
    if (p.timer) clearTimeout(p.timer);
    if (err) p.reject(err);
    else p.resolve(p.lines);
  }

  /**
   * Up to 1 s for the line to fall silent, so a late answer to a timed-out
   * command is not taken for the next one's. Silence counts from the timeout
   * at the earliest: a modem that said nothing yet may be about to answer.
   */
  async #waitQuiet(): Promise<void> {
    const quiet = this.#opts.quietMs ?? 200;
    const deadline = performance.now() + 1000;
    while (performance.now() < deadline && performance.now() - Math.max(this.#lastInputAt, this.#timedOutAt) < quiet) {
      await new Promise((r) => setTimeout(r, quiet / 4));
    }
  }
}
