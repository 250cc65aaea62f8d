import type { Logger } from 'pino';
import { Backoff, type BackoffOptions } from '@helppoint/shared';
import type { GpioLine, GpioLineRequest, GpioValue } from '../GpioLine.ts';
import { SupervisedProcess } from '../SupervisedProcess.ts';
import { gpiogetArgs, gpiomonArgs, gpiosetArgs, parseGpiogetValue, parseGpiomonLine, runTool, type GpiodTools } from './gpiodTools.ts';

type Watcher = (err: Error | null | undefined, value: GpioValue) => void;

export interface GpiodLineOptions {
  tools: GpiodTools;
  /** /dev/gpiochipN, found by label. */
  chip: string;
  request: GpioLineRequest;
  logger?: Logger | undefined;
  backoff?: BackoffOptions | undefined;
}

/**
 * An input line watched by a `gpiomon` child. The level is read once with
 * `gpioget` (same bias) and then follows the edges gpiomon prints: a line
 * held by gpiomon cannot be read by another process. If gpiomon dies the
 * line is read again before it is watched again, so an edge lost in the gap
 * (the door opened while the child restarted) still shows.
 */
export class GpiodInputLine implements GpioLine {
  readonly #o: GpiodLineOptions;
  readonly #log: Logger | undefined;
  readonly #backoff: Backoff;
  #level: GpioValue;
  #watchers: Watcher[] = [];
  #proc: SupervisedProcess | null = null;
  #retry: ReturnType<typeof setTimeout> | null = null;
  #resync: ReturnType<typeof setInterval> | null = null;
  #partial = '';
  #closed = false;

  static async open(o: GpiodLineOptions): Promise<GpiodInputLine> {
    const level = await GpiodInputLine.#read(o);
    const line = new GpiodInputLine(o, level);
    await line.#monitor();
    if (o.request.resyncMs) {
      line.#resync = setInterval(() => void line.#resyncNow(), o.request.resyncMs);
      line.#resync.unref?.();
    }
    return line;
  }

  static async #read(o: GpiodLineOptions): Promise<GpioValue> {
    const r = o.request;
    return parseGpiogetValue(await runTool(o.tools.bin.gpioget, gpiogetArgs(o.tools, o.chip, r.offset, { bias: r.bias, consumer: r.consumer })));
  }

  private constructor(o: GpiodLineOptions, level: GpioValue) {
    this.#o = o;
    this.#level = level;
    this.#log = o.logger?.child({ component: 'gpiod', offset: o.request.offset });
    this.#backoff = new Backoff({ initialMs: 500, maxMs: 10_000, ...o.backoff });
  }

  /** The monitor's pid, for tests that kill it. */
  get pid(): number | null {
    return this.#proc?.pid ?? null;
  }

  readSync(): GpioValue {
    return this.#level;
  }

  writeSync(): void {
    throw new Error(`GPIO ${this.#o.request.offset} is an input`);
  }

  watch(callback: Watcher): void {
    this.#watchers.push(callback);
  }

  unwatchAll(): void {
    this.#watchers = [];
  }

  unexport(): void {
    this.#closed = true;
    if (this.#retry) clearTimeout(this.#retry);
    if (this.#resync) clearInterval(this.#resync);
    this.#retry = null;
    const proc = this.#proc;
    this.#proc = null;
    void proc?.stop();
  }

  #set(level: GpioValue): void {
    if (level === this.#level) return;
    this.#level = level;
    for (const w of [...this.#watchers]) {
      try {
        w(null, level);
      } catch (err) {
        this.#log?.error({ err }, 'GPIO watcher threw');
      }
    }
  }

  async #monitor(): Promise<void> {
    const r = this.#o.request;
    const proc = new SupervisedProcess({
      command: this.#o.tools.bin.gpiomon,
      args: gpiomonArgs(this.#o.tools, this.#o.chip, r.offset, { bias: r.bias, debounceMs: r.debounceMs, consumer: r.consumer }),
      name: `gpiomon-${r.offset}`,
      logger: this.#log,
      autoRestart: false,
    });
    this.#partial = '';
    proc.on('stdout', (chunk) => this.#onOutput(chunk.toString('utf8')));
    proc.on('exit', (info) => {
      if (info.expected || this.#closed) return;
      this.#log?.warn({ code: info.code, signal: info.signal, stderr: info.stderrTail }, 'gpiomon exited; reading the line again and restarting it');
      this.#scheduleRestart();
    });
    this.#proc = proc;
    await proc.start();
  }

  /** Stops the watch, reads the level, watches again: the gap is a few milliseconds with the real tools. */
  async #resyncNow(): Promise<void> {
    const proc = this.#proc;
    if (this.#closed || !proc || this.#retry) return;
    this.#proc = null;
    await proc.stop();
    proc.removeAllListeners();
    if (this.#closed) return;
    try {
      this.#set(await GpiodInputLine.#read(this.#o));
      if (!this.#closed) await this.#monitor();
    } catch (err) {
      this.#log?.warn({ err: err instanceof Error ? err.message : String(err) }, 'GPIO resync failed; retrying');
      this.#scheduleRestart();
    }
  }

  #onOutput(text: string): void {
    const lines = (this.#partial + text).split('\n');
    this.#partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      const ev = parseGpiomonLine(this.#o.tools, line);
      if (!ev || ev.offset !== this.#o.request.offset) {
        this.#log?.warn({ line }, 'unexpected gpiomon output');
        continue;
      }
      this.#set(ev.rising ? 1 : 0);
    }
  }

  #scheduleRestart(): void {
    if (this.#closed) return;
    const delay = this.#backoff.next();
    this.#retry = setTimeout(() => {
      this.#retry = null;
      void (async () => {
        try {
          const level = await GpiodInputLine.#read(this.#o);
          if (this.#closed) return;
          this.#set(level);
          await this.#monitor();
          this.#backoff.reset();
        } catch (err) {
          this.#log?.warn({ err: err instanceof Error ? err.message : String(err) }, 'GPIO line still unavailable');
          for (const w of [...this.#watchers]) w(err instanceof Error ? err : new Error(String(err)), this.#level);
          this.#scheduleRestart();
        }
      })();
    }, delay);
  }
}

/**
 * An output line held by a `gpioset` child at one level; a new level means a
 * new child (the old one is stopped first, or the kernel refuses the second
 * request with EBUSY). Writes that come faster than children can be swapped
 * collapse to the latest level, which is all an LED needs.
 */
export class GpiodOutputLine implements GpioLine {
  readonly #o: GpiodLineOptions;
  readonly #log: Logger | undefined;
  readonly #backoff: Backoff;
  /** The level to hold, or where a blink starts and its half period. */
  #wanted: { value: GpioValue; toggleMs: number | null };
  #held: { value: GpioValue; toggleMs: number | null } | null = null;
  /** libgpiod 2's gpioset toggles by itself: a blinking LED is one child, not one per half period. */
  readonly blink?: (halfPeriodMs: number, first: GpioValue) => void;
  #proc: SupervisedProcess | null = null;
  #applying: Promise<void> | null = null;
  #retry: ReturnType<typeof setTimeout> | null = null;
  #closed = false;

  static async open(o: GpiodLineOptions): Promise<GpiodOutputLine> {
    const line = new GpiodOutputLine(o);
    await line.settled();
    if (line.#held === null) throw new Error(`cannot drive GPIO ${o.request.offset} on ${o.chip}`);
    return line;
  }

  private constructor(o: GpiodLineOptions) {
    this.#o = o;
    this.#wanted = { value: o.request.direction === 'high' ? 1 : 0, toggleMs: null };
    this.#log = o.logger?.child({ component: 'gpiod', offset: o.request.offset });
    this.#backoff = new Backoff({ initialMs: 500, maxMs: 10_000, ...o.backoff });
    if (o.tools.major === 2) {
      this.blink = (halfPeriodMs, first) => {
        if (this.#closed) throw new Error(`GPIO ${this.#o.request.offset} released`);
        this.#wanted = { value: first, toggleMs: Math.max(1, halfPeriodMs) };
        this.#kick();
      };
    }
    this.#kick();
  }

  /** Resolves once the child holding the latest level runs (or failed to). */
  async settled(): Promise<void> {
    while (this.#applying) await this.#applying;
  }

  get pid(): number | null {
    return this.#proc?.pid ?? null;
  }

  readSync(): GpioValue {
    return this.#wanted.value;
  }

  writeSync(value: GpioValue): void {
    if (this.#closed) throw new Error(`GPIO ${this.#o.request.offset} released`);
    this.#wanted = { value, toggleMs: null };
    this.#kick();
  }

  watch(): void {
    /* outputs have no edges */
  }

  unwatchAll(): void {}

  unexport(): void {
    this.#closed = true;
    if (this.#retry) clearTimeout(this.#retry);
    const proc = this.#proc;
    this.#proc = null;
    void (async () => {
      await this.#applying;
      await (this.#proc ?? proc)?.stop();
    })();
  }

  #kick(): void {
    if (this.#applying || this.#closed) return;
    this.#applying = this.#apply().finally(() => (this.#applying = null));
  }

  async #apply(): Promise<void> {
    const same = (a: { value: GpioValue; toggleMs: number | null } | null, b: { value: GpioValue; toggleMs: number | null }) =>
      a !== null && a.value === b.value && a.toggleMs === b.toggleMs;
    while (!this.#closed && !same(this.#held, this.#wanted)) {
      const wanted = this.#wanted;
      await this.#proc?.stop();
      this.#proc = null;
      this.#held = null;
      const r = this.#o.request;
      const proc = new SupervisedProcess({
        command: this.#o.tools.bin.gpioset,
        args: gpiosetArgs(this.#o.tools, this.#o.chip, r.offset, wanted.value, r.consumer, wanted.toggleMs),
        name: `gpioset-${r.offset}`,
        logger: this.#log,
        autoRestart: false,
        killTimeoutMs: 1000,
      });
      proc.on('exit', (info) => {
        if (info.expected || this.#closed || this.#proc !== proc) return;
        this.#log?.warn({ code: info.code, stderr: info.stderrTail }, 'gpioset exited; driving the line again');
        this.#proc = null;
        this.#held = null;
        this.#retry = setTimeout(() => {
          this.#retry = null;
          this.#kick();
        }, this.#backoff.next());
      });
      try {
        await proc.start();
      } catch (err) {
        this.#log?.error({ err: err instanceof Error ? err.message : String(err) }, 'cannot start gpioset');
        return;
      }
      this.#proc = proc;
      this.#held = wanted;
    }
  }
}
