import { TypedEmitter } from '@helppoint/shared';
import type { Button, ButtonEvents } from '../hw/Button.ts';

/**
 * Sits between the button and the call controller. It remembers when the
 * button was last seen working, and while the doctor waits for "press the
 * button now" it takes that press itself, so a technician's test press never
 * rings the police.
 */
export class ButtonTap extends TypedEmitter<ButtonEvents> implements Button {
  readonly #inner: Button;
  #lastOkAt: number | null = null;
  #waiter: ((pressed: boolean) => void) | null = null;

  constructor(inner: Button) {
    super();
    this.#inner = inner;
    inner.on('press', (at) => {
      this.#lastOkAt = performance.now();
      const w = this.#waiter;
      if (w) {
        this.#waiter = null;
        w(true);
        return;
      }
      this.emit('press', at);
    });
    inner.on('long-press', (at) => {
      if (!this.#waiter) this.emit('long-press', at);
    });
    inner.on('fault', (detail) => this.emit('fault', detail));
    inner.on('closed', () => this.emit('closed'));
  }

  /** performance.now() of the last press (or passed button test); null if none since start-up. */
  get lastOkAt(): number | null {
    return this.#lastOkAt;
  }

  /** Resolves true on the next press (which the call controller then does not see), false on timeout or abort. */
  waitForPress(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    this.#waiter?.(false);
    return new Promise((resolve) => {
      const done = (pressed: boolean) => {
        clearTimeout(timer);
        if (this.#waiter === done) this.#waiter = null;
        resolve(pressed);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      signal?.addEventListener('abort', () => done(false));
      this.#waiter = done;
    });
  }

  get fault(): string | null {
    return this.#inner.fault ?? null;
  }

  readNow(): boolean {
    return this.#inner.readNow();
  }

  close(): Promise<void> {
    this.#waiter?.(false);
    return this.#inner.close();
  }
}
