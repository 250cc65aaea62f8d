import type { Logger } from 'pino';
import type { Button, ButtonEvents } from './Button.ts';
import { ButtonGestures } from './ButtonGestures.ts';
import type { GestureTimers } from './ButtonGestures.ts';
import { TypedEmitter } from '@helppoint/shared';

export interface SimButtonOptions {
  longPressMs?: number;
  debounceMs?: number;
  now?: () => number;
  timers?: GestureTimers;
  logger?: Logger;
}

/**
 * The button twin for tests, demos and the status page's "press" control.
 * press()/longPress() emit the gesture directly; down()/up() go through the
 * same gesture logic as the real button, edge by edge.
 */
export class SimButton extends TypedEmitter<ButtonEvents> implements Button {
  #gestures: ButtonGestures;
  #now: () => number;
  #closed = false;

  constructor(opts: SimButtonOptions = {}) {
    super({ logger: opts.logger });
    this.#now = opts.now ?? (() => performance.now());
    this.#gestures = new ButtonGestures({
      longPressMs: opts.longPressMs,
      debounceMs: opts.debounceMs,
      now: this.#now,
      timers: opts.timers,
      onGesture: (gesture, atMs) => this.emit(gesture, atMs),
    });
  }

  press(): void {
    if (!this.#closed) this.emit('press', this.#now());
  }

  longPress(): void {
    if (!this.#closed) this.emit('long-press', this.#now());
  }

  /** Raw edge; returns false when the gesture logic ignored it (bounce, repeat). */
  down(): boolean {
    return !this.#closed && this.#gestures.down(this.#now());
  }

  up(): boolean {
    return !this.#closed && this.#gestures.up(this.#now());
  }

  /**
   * A simulated hold always starts with down(), which already drives the
   * gestures, so unlike the real line there is no unseen hold to report.
   */
  readNow(): boolean {
    return this.#gestures.isDown;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#gestures.dispose();
    this.emit('closed');
  }
}
