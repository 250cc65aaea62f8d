import type { Logger } from 'pino';
import type { Button, ButtonEvents } from './Button.ts';
import { ButtonGestures } from './ButtonGestures.ts';
import type { GestureTimers } from './ButtonGestures.ts';
import type { GpioBackend, GpioLine, GpioValue } from './GpioLine.ts';
import { TypedEmitter } from '@helppoint/shared';

export interface GpioButtonOptions {
  /** BCM pin number from the terminal's config (e.g. 17). */
  gpio: number;
  backend: GpioBackend;
  /**
   * True (the default) for a button wired to ground with a pull-up: the line
   * reads 0 while pressed. The character device sets the pull-up itself;
   * sysfs needs `gpio=17=ip,pu` in config.txt (GPIO 9-27 default to pull-down).
   */
  activeLow?: boolean;
  longPressMs?: number;
  debounceMs?: number;
  /** The kernel's (or onoff's) debounce: the edge is reported once the line is stable this long. */
  hwDebounceMs?: number;
  /**
   * Held longer than this is no press but a wiring fault (a short to ground,
   * a missing pull-up, a jammed button): reported, never rung as a call.
   */
  stuckMs?: number;
  logger?: Logger;
  now?: () => number;
  timers?: GestureTimers;
}

interface ConstructorOptions {
  line: GpioLine;
  gpio: number;
  activeLow: boolean;
  stuckMs: number;
  gestures: Omit<ConstructorParameters<typeof ButtonGestures>[0], 'onGesture'>;
  now: () => number;
  timers: GestureTimers;
  logger: Logger | undefined;
}

const defaultTimers: GestureTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** The help button on a GPIO input, through whichever GPIO backend main.ts chose. */
export class GpioButton extends TypedEmitter<ButtonEvents> implements Button {
  readonly gpio: number;
  #line: GpioLine;
  #activeLow: boolean;
  #stuckMs: number;
  #gestures: ButtonGestures;
  #now: () => number;
  #timers: GestureTimers;
  #logger: Logger | undefined;
  /** Held since start-up: becomes a press if let go in time, a fault if not. */
  #heldAtStart: { sinceMs: number } | null = null;
  #stuckTimer: unknown = null;
  #fault: string | null = null;
  #closed = false;

  static async create(opts: GpioButtonOptions): Promise<GpioButton> {
    const logger = opts.logger?.child({ component: 'button', gpio: opts.gpio });
    const activeLow = opts.activeLow ?? true;
    let line: GpioLine;
    try {
      line = await opts.backend.open({
        offset: opts.gpio,
        direction: 'in',
        edge: 'both',
        debounceMs: opts.hwDebounceMs ?? 10,
        bias: activeLow ? 'pull-up' : 'pull-down',
        consumer: 'helppoint-button',
      });
    } catch (err) {
      throw new Error(`cannot open the button on BCM ${opts.gpio} (${opts.backend.description})`, { cause: err });
    }
    const now = opts.now ?? (() => performance.now());
    const timers = opts.timers ?? defaultTimers;
    return new GpioButton({
      line,
      gpio: opts.gpio,
      activeLow,
      stuckMs: opts.stuckMs ?? 10_000,
      gestures: { longPressMs: opts.longPressMs, debounceMs: opts.debounceMs, now, timers },
      now,
      timers,
      logger,
    });
  }

  private constructor(opts: ConstructorOptions) {
    super({ logger: opts.logger });
    this.gpio = opts.gpio;
    this.#line = opts.line;
    this.#activeLow = opts.activeLow;
    this.#stuckMs = opts.stuckMs;
    this.#now = opts.now;
    this.#timers = opts.timers;
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

  /** Why the button cannot be trusted right now (e.g. stuck pressed), or null. */
  get fault(): string | null {
    return this.#fault;
  }

  /**
   * A button found held at start-up is not rung at once: a press lasts well
   * under a second, a shorted line forever. Let go within stuckMs, it is the
   * press of someone who pressed while the service restarted; still held
   * then, it is a wiring fault.
   */
  readNow(): boolean {
    if (this.#closed) return false;
    const pressed = this.#isPressed(this.#line.readSync());
    if (pressed && !this.#gestures.isDown && !this.#heldAtStart) {
      const atMs = this.#now();
      this.#logger?.warn({ stuckMs: this.#stuckMs }, 'button reads pressed at start-up: a press if released soon, a wiring fault if not');
      this.#gestures.markHeld(atMs);
      this.#heldAtStart = { sinceMs: atMs };
      this.#armStuck(atMs);
    }
    return pressed;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#gestures.dispose();
    this.#disarmStuck();
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
    const pressed = this.#isPressed(value);
    if (pressed) {
      this.#armStuck(atMs);
      this.#gestures.down(atMs);
      return;
    }
    this.#disarmStuck();
    const held = this.#heldAtStart;
    this.#heldAtStart = null;
    this.#gestures.up(atMs);
    if (this.#fault !== null) {
      this.#logger?.warn({ heldMs: Math.round(atMs - (held?.sinceMs ?? atMs)) }, 'button line released: wiring fault cleared');
      this.#fault = null;
      this.emit('fault', null);
      return;
    }
    if (held) {
      this.#logger?.info('button held at start-up was released in time: a press');
      this.emit('press', atMs);
    }
  }

  #armStuck(atMs: number): void {
    this.#disarmStuck();
    this.#stuckTimer = this.#timers.setTimeout(() => {
      this.#stuckTimer = null;
      if (this.#closed || !this.#isPressed(this.#line.readSync())) return;
      const sinceStart = this.#heldAtStart !== null;
      this.#fault = sinceStart
        ? `button line (BCM ${this.gpio}) reads pressed since start-up for over ${Math.round(this.#stuckMs / 1000)} s: short to ground, missing pull-up or jammed button`
        : `button line (BCM ${this.gpio}) held pressed for over ${Math.round(this.#stuckMs / 1000)} s: jammed button or short to ground`;
      this.#logger?.error({ heldMs: Math.round(this.#now() - atMs) }, this.#fault);
      this.emit('fault', this.#fault);
    }, this.#stuckMs);
  }

  #disarmStuck(): void {
    if (this.#stuckTimer !== null) this.#timers.clearTimeout(this.#stuckTimer);
    this.#stuckTimer = null;
  }
}
