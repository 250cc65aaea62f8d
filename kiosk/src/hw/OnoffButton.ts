import type { Logger } from 'pino';
import type { Button, ButtonEvents } from './Button.ts';
import { ButtonGestures } from './ButtonGestures.ts';
import type { GestureTimers } from './ButtonGestures.ts';
import type { GpioFactory, GpioLine, GpioValue } from './GpioLine.ts';
import { resolveGpioBase } from './gpioBase.ts';
import { loadOnoffGpio } from './onoffGpio.ts';
import { TypedEmitter } from '@helppoint/shared';

export interface OnoffButtonOptions {
  /** BCM pin number from the terminal's config (e.g. 17), not the sysfs number. */
  gpio: number;
  /** sysfs number of BCM 0; detected from sysfs when omitted. */
  gpioBase?: number;
  sysfsRoot?: string;
  /**
   * True (the default) for a button wired to ground with a pull-up: the line
   * reads 0 while pressed. sysfs cannot set pulls; use `gpio=17=ip,pu` in
   * config.txt (BCM 0-8 already default to pull-up).
   */
  activeLow?: boolean;
  longPressMs?: number;
  debounceMs?: number;
  /** onoff's own debounce: the edge is reported once the line is stable this long. */
  hwDebounceMs?: number;
  logger?: Logger;
  /** Tests inject a fake line; production loads onoff. */
  gpioFactory?: GpioFactory;
  now?: () => number;
  timers?: GestureTimers;
}

interface ConstructorOptions {
  line: GpioLine;
  sysfsGpio: number;
  activeLow: boolean;
  gestures: Omit<ConstructorParameters<typeof ButtonGestures>[0], 'onGesture'>;
  now: () => number;
  logger: Logger | undefined;
}

export class OnoffButton extends TypedEmitter<ButtonEvents> implements Button {
  readonly sysfsGpio: number;
  #line: GpioLine;
  #activeLow: boolean;
  #gestures: ButtonGestures;
  #now: () => number;
  #logger: Logger | undefined;
  #closed = false;

  static async create(opts: OnoffButtonOptions): Promise<OnoffButton> {
    const logger = opts.logger?.child({ component: 'button' });
    const base = await resolveGpioBase({ gpioBase: opts.gpioBase, sysfsRoot: opts.sysfsRoot, logger });
    const sysfsGpio = base + opts.gpio;
    const factory = opts.gpioFactory ?? (await loadOnoffGpio());
    let line: GpioLine;
    try {
      line = factory({
        gpio: sysfsGpio,
        direction: 'in',
        edge: 'both',
        debounceTimeout: opts.hwDebounceMs ?? 10,
      });
    } catch (err) {
      throw new Error(`cannot open button GPIO ${sysfsGpio} (BCM ${opts.gpio}, base ${base})`, { cause: err });
    }
    const now = opts.now ?? (() => performance.now());
    return new OnoffButton({
      line,
      sysfsGpio,
      activeLow: opts.activeLow ?? true,
      gestures: { longPressMs: opts.longPressMs, debounceMs: opts.debounceMs, now, timers: opts.timers },
      now,
      logger,
    });
  }

  private constructor(opts: ConstructorOptions) {
    super({ logger: opts.logger });
    this.sysfsGpio = opts.sysfsGpio;
    this.#line = opts.line;
    this.#activeLow = opts.activeLow;
    this.#now = opts.now;
    this.#logger = opts.logger;
    this.#gestures = new ButtonGestures({
      ...opts.gestures,
      onGesture: (gesture, atMs) => {
        this.#logger?.info({ gesture }, 'button gesture');
        this.emit(gesture, atMs);
      },
    });
    this.#line.watch((err, value) => this.#onEdge(err, value));
  }

  readNow(): boolean {
    if (this.#closed) return false;
    const pressed = this.#isPressed(this.#line.readSync());
    if (pressed && !this.#gestures.isDown) {
      const atMs = this.#now();
      this.#logger?.info('button already held at start-up; treating as a press');
      this.#gestures.markHeld(atMs);
      this.emit('press', atMs);
    }
    return pressed;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#gestures.dispose();
    try {
      this.#line.unwatchAll();
      this.#line.unexport();
    } catch (err) {
      this.#logger?.warn({ err }, 'releasing button GPIO failed');
    }
    this.emit('closed');
  }

  #isPressed(value: GpioValue): boolean {
    return this.#activeLow ? value === 0 : value === 1;
  }

  #onEdge(err: Error | null | undefined, value: GpioValue): void {
    if (this.#closed) return;
    if (err) {
      this.#logger?.warn({ err }, 'button GPIO watch error');
      return;
    }
    const atMs = this.#now();
    if (this.#isPressed(value)) this.#gestures.down(atMs);
    else this.#gestures.up(atMs);
  }
}
