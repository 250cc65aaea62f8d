import { TypedEmitter } from '@helppoint/shared';
import type { Tamper, TamperEvents } from './Tamper.ts';

/** The door-switch twin: tests and the demo open and close it. */
export class SimTamper extends TypedEmitter<TamperEvents> implements Tamper {
  #open = false;
  #closed = false;

  get open(): boolean {
    return this.#open;
  }

  set(open: boolean): void {
    if (this.#closed || open === this.#open) return;
    this.#open = open;
    this.emit('change', open);
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
