import type { Logger } from 'pino';
import { BLINK_HALF_PERIOD_MS } from './Led.ts';
import type { Led, LedMode } from './Led.ts';
import type { GpioFactory, GpioLine, GpioValue } from './GpioLine.ts';
import { resolveGpioBase } from './gpioBase.ts';
import { loadOnoffGpio } from './onoffGpio.ts';

export interface LedTimers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface OnoffLedOptions {
  /** BCM pin number from config. */
  gpio: number;
  gpioBase?: number;
  sysfsRoot?: string;
  /** True when the LED (or its driver transistor) lights on a low output. */
  activeLow?: boolean;
  logger?: Logger;
  gpioFactory?: GpioFactory;
  timers?: LedTimers;
}

interface ConstructorOptions {
  line: GpioLine;
  sysfsGpio: number;
  activeLow: boolean;
  logger: Logger | undefined;
  timers: LedTimers;
}

const defaultTimers: LedTimers = {
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
};

export class OnoffLed implements Led {
  readonly sysfsGpio: number;
  #line: GpioLine;
  #activeLow: boolean;
  #logger: Logger | undefined;
  #timers: LedTimers;
  #mode: LedMode = 'off';
  #blink: unknown = null;
  #lit = false;
  #closed = false;

  static async create(opts: OnoffLedOptions): Promise<OnoffLed> {
    const logger = opts.logger?.child({ component: 'led', gpio: opts.gpio });
    const base = await resolveGpioBase({ gpioBase: opts.gpioBase, sysfsRoot: opts.sysfsRoot, logger });
    const sysfsGpio = base + opts.gpio;
    const activeLow = opts.activeLow ?? false;
    const factory = opts.gpioFactory ?? (await loadOnoffGpio());
    let line: GpioLine;
    try {
      // Start as an output already at the "off" level: no flash at boot.
      line = factory({ gpio: sysfsGpio, direction: activeLow ? 'high' : 'low' });
    } catch (err) {
      throw new Error(`cannot open LED GPIO ${sysfsGpio} (BCM ${opts.gpio}, base ${base})`, { cause: err });
    }
    return new OnoffLed({ line, sysfsGpio, activeLow, logger, timers: opts.timers ?? defaultTimers });
  }

  private constructor(opts: ConstructorOptions) {
    this.#line = opts.line;
    this.sysfsGpio = opts.sysfsGpio;
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
