import type { Logger } from 'pino';
import { BLINK_HALF_PERIOD_MS } from './Led.ts';
import type { Led, LedMode } from './Led.ts';
import type { GpioBackend, GpioLine, GpioValue } from './GpioLine.ts';

export interface LedTimers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface GpioLedOptions {
  /** BCM pin number from config. */
  gpio: number;
  backend: GpioBackend;
  /** True when the LED (or its driver transistor) lights on a low output. */
  activeLow?: boolean;
  logger?: Logger;
  timers?: LedTimers;
}

interface ConstructorOptions {
  line: GpioLine;
  gpio: number;
  activeLow: boolean;
  logger: Logger | undefined;
  timers: LedTimers;
}

const defaultTimers: LedTimers = {
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
};

export class GpioLed implements Led {
  readonly gpio: number;
  #line: GpioLine;
  #activeLow: boolean;
  #logger: Logger | undefined;
  #timers: LedTimers;
  #mode: LedMode = 'off';
  #blink: unknown = null;
  #lit = false;
  #closed = false;

  static async create(opts: GpioLedOptions): Promise<GpioLed> {
    const logger = opts.logger?.child({ component: 'led', gpio: opts.gpio });
    const activeLow = opts.activeLow ?? false;
    let line: GpioLine;
    try {
      // Start as an output already at the "off" level: no flash at boot.
      line = await opts.backend.open({ offset: opts.gpio, direction: activeLow ? 'high' : 'low', consumer: 'helppoint-led' });
    } catch (err) {
      throw new Error(`cannot open the LED on BCM ${opts.gpio} (${opts.backend.description})`, { cause: err });
    }
    return new GpioLed({ line, gpio: opts.gpio, activeLow, logger, timers: opts.timers ?? defaultTimers });
  }

  private constructor(opts: ConstructorOptions) {
    this.#line = opts.line;
    this.gpio = opts.gpio;
    this.#activeLow = opts.activeLow;
    this.#logger = opts.logger;
    this.#timers = opts.timers;
  }

  get mode(): LedMode {
    return this.#mode;
  }

  set(mode: LedMode): void {
    if (this.#closed) {
      this.#logger?.warn({ mode }, 'LED set after close; ignored');
      return;
    }
    if (mode === this.#mode) return;
    this.#mode = mode;
    this.#stopBlink();
    if (mode === 'off' || mode === 'on') {
      this.#light(mode === 'on');
      return;
    }
    // Blinks start lit so the change is visible at once.
    const lit: GpioValue = this.#activeLow ? 0 : 1;
    if (this.#line.blink) {
      // The line blinks by itself (libgpiod 2's gpioset --toggle): one child, no timer here.
      this.#lit = true;
      try {
        this.#line.blink(BLINK_HALF_PERIOD_MS[mode], lit);
      } catch (err) {
        this.#logger?.warn({ err }, 'LED blink failed');
      }
      return;
    }
    this.#light(true);
    this.#blink = this.#timers.setInterval(() => this.#light(!this.#lit), BLINK_HALF_PERIOD_MS[mode]);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#stopBlink();
    this.#light(false);
    this.#closed = true;
    this.#mode = 'off';
    try {
      this.#line.unexport();
    } catch (err) {
      this.#logger?.warn({ err }, 'releasing LED GPIO failed');
    }
  }

  #stopBlink(): void {
    if (this.#blink !== null) this.#timers.clearInterval(this.#blink);
    this.#blink = null;
  }

  #light(lit: boolean): void {
    this.#lit = lit;
    const value: GpioValue = lit !== this.#activeLow ? 1 : 0;
    try {
      this.#line.writeSync(value);
    } catch (err) {
      // A failed write must not kill the blink timer or the caller; the next
      // toggle tries again.
      this.#logger?.warn({ err }, 'LED write failed');
    }
  }
}
