import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';

/** A modem's refusal: `ERROR`, `+CMS ERROR: <n>` or `+CME ERROR: <n>`. */
export class AtError extends Error {
  readonly response: string;
  constructor(command: string, response: string) {
    super(`modem refused ${command.split('=')[0]}: ${response}`);
    this.name = 'AtError';
    this.response = response;
  }
}

interface Pending {
  command: string;
  /** Text to send after the modem's `> ` prompt (AT+CMGS), then Ctrl-Z. */
  payload: string | undefined;
  lines: string[];
  resolve(lines: string[]): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

const CTRL_Z = '\x1a';
const FINAL_ERROR = /^(ERROR|\+CMS ERROR:.*|\+CME ERROR:.*)$/;

/**
 * Hayes AT commands over any byte stream (a serialport, a pty in tests): one
 * command at a time, answered by OK or an error line. Lines that are the
 * echo of the command, and unsolicited result codes arriving between
 * commands, are skipped.
 */
export class AtChannel {
  readonly #stream: Duplex;
  readonly #log: Logger;
  #buffer = '';
  #pending: Pending | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(opts: { stream: Duplex; logger: Logger }) {
    this.#stream = opts.stream;
    this.#log = opts.logger;
    this.#stream.on('data', (chunk: Buffer | string) => this.#onData(chunk.toString()));
    this.#stream.on('error', (error: Error) => {
      this.#log.warn({ err: error.message }, 'modem stream error');
      this.#fail(error);
    });
    this.#stream.on('close', () => this.#fail(new Error('modem stream closed')));
  }

  /** Sends `command` and resolves with the information lines before OK. */
  command(command: string, opts: { timeoutMs?: number; payload?: string } = {}): Promise<string[]> {
    const run = () => this.#run(command, opts.payload, opts.timeoutMs ?? 5000);
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  #run(command: string, payload: string | undefined, timeoutMs: number): Promise<string[]> {
    if (this.#closed) return Promise.reject(new Error('modem channel closed'));
    return new Promise<string[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending = null;
        reject(new Error(`modem did not answer ${command.split('=')[0]} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending = { command, payload, lines: [], resolve, reject, timer };
      this.#buffer = '';
      this.#stream.write(`${command}\r`);
    });
  }

  #onData(text: string): void {
    this.#buffer += text;
    const p = this.#pending;
    // The SMS prompt is "> " with no line end: answer it with the text and Ctrl-Z.
    if (p?.payload !== undefined && /(^|\n)> ?$/.test(this.#buffer)) {
      this.#stream.write(p.payload + CTRL_Z);
      p.payload = undefined;
      this.#buffer = '';
      return;
    }
    let nl: number;
    while ((nl = this.#buffer.search(/[\r\n]/)) >= 0) {
      const line = this.#buffer.slice(0, nl).trim();
      this.#buffer = this.#buffer.slice(nl + 1);
      if (line) this.#onLine(line);
    }
  }

  #onLine(line: string): void {
    const p = this.#pending;
    if (!p) {
      this.#log.debug({ line }, 'unsolicited modem line');
      return;
    }
    if (line === p.command) return; // echo (ATE1)
    if (line === 'OK') return this.#settle(() => p.resolve(p.lines));
    if (FINAL_ERROR.test(line)) return this.#settle(() => p.reject(new AtError(p.command, line)));
    p.lines.push(line);
  }

  #settle(fn: () => void): void {
    const p = this.#pending;
    if (!p) return;
    clearTimeout(p.timer);
    this.#pending = null;
    fn();
  }

  #fail(error: Error): void {
    this.#closed = true;
    const p = this.#pending;
    if (p) this.#settle(() => p.reject(error));
  }

  close(): void {
    this.#fail(new Error('modem channel closed'));
  }
}
