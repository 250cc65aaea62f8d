import type { Logger } from 'pino';
import { TypedEmitter } from '@helppoint/shared';
import type { GpioFactory, GpioLine, GpioValue } from './GpioLine.ts';
import { resolveGpioBase } from './gpioBase.ts';
import { loadOnoffGpio } from './onoffGpio.ts';
import type { Tamper, TamperEvents } from './Tamper.ts';

export interface OnoffTamperOptions {
  /** BCM pin of the door switch. */
  gpio: number;
  gpioBase?: number;
  sysfsRoot?: string;
  /**
   * Level read while the door is open. Default 1: a normally-closed switch to
   * ground with a pull-up, so a cut wire also reads as "open" (fail safe).
   */
  openLevel?: GpioValue;
  /** A level must hold this long before it counts (a door rattling in the wind is not an alarm each time). */
  settleMs?: number;
  logger?: Logger;
  gpioFactory?: GpioFactory;
}

/** The enclosure door switch on a GPIO input (onoff). */
export class OnoffTamper extends TypedEmitter<TamperEvents> implements Tamper {
  #line: GpioLine;
  #openLevel: GpioValue;
  #settleMs: number;
  #logger: Logger | undefined;
  #open: boolean | null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #closed = false;

  static async create(opts: OnoffTamperOptions): Promise<OnoffTamper> {
    const logger = opts.logger?.child({ component: 'tamper' });
    const base = await resolveGpioBase({ gpioBase: opts.gpioBase, sysfsRoot: opts.sysfsRoot, logger });
    const factory = opts.gpioFactory ?? (await loadOnoffGpio());
    let line: GpioLine;
    try {
      line = factory({ gpio: base + opts.gpio, direction: 'in', edge: 'both', debounceTimeout: 20 });
    } catch (err) {
      throw new Error(`cannot open tamper GPIO ${base + opts.gpio} (BCM ${opts.gpio})`, { cause: err });
    }
    return new OnoffTamper(line, opts, logger);
  }

  private constructor(line: GpioLine, opts: OnoffTamperOptions, logger: Logger | undefined) {
    super({ logger });
    this.#line = line;
    this.#openLevel = opts.openLevel ?? 1;
    this.#settleMs = opts.settleMs ?? 300;
    this.#logger = logger;
    this.#open = this.#read();
    this.#line.watch((err) => {
      if (err) return this.#logger?.warn({ err }, 'tamper GPIO watch error');
      this.#schedule();
    });
  }

  get open(): boolean | null {
    return this.#open;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    try {
      this.#line.unwatchAll();
      this.#line.unexport();
    } catch (err) {
      this.#logger?.warn({ err }, 'releasing tamper GPIO failed');
    }
  }

  #read(): boolean | null {
    try {
      return this.#line.readSync() === this.#openLevel;
    } catch (err) {
      this.#logger?.warn({ err }, 'cannot read tamper GPIO');
      return null;
    }
  }

  /** Reads the line again once it has been quiet for settleMs; only a real change is reported. */
  #schedule(): void {
    if (this.#closed) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      const now = this.#read();
      if (now === null || now === this.#open) return;
      this.#open = now;
      this.#logger?.warn({ open: now }, now ? 'enclosure opened' : 'enclosure closed');
      this.emit('change', now);
    }, this.#settleMs);
  }
}
