import type { Led, LedMode } from './Led.ts';

export interface LedChange {
  mode: LedMode;
  atMs: number;
}

export interface SimLedOptions {
  now?: () => number;
  /** Oldest entries are dropped beyond this, so a long demo does not grow forever. */
  historyLimit?: number;
}

/** Records what the LED would show, for tests and the status page. */
export class SimLed implements Led {
  #mode: LedMode = 'off';
  #history: LedChange[] = [];
  #now: () => number;
  #limit: number;
  #closed = false;

  constructor(opts: SimLedOptions = {}) {
    this.#now = opts.now ?? (() => Date.now());
    this.#limit = opts.historyLimit ?? 1000;
  }

  get mode(): LedMode {
    return this.#mode;
  }

  get history(): readonly LedChange[] {
    return this.#history;
  }

  get closed(): boolean {
    return this.#closed;
  }

  set(mode: LedMode): void {
    if (this.#closed || mode === this.#mode) return;
    this.#mode = mode;
    this.#history.push({ mode, atMs: this.#now() });
    if (this.#history.length > this.#limit) this.#history.splice(0, this.#history.length - this.#limit);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.set('off');
    this.#closed = true;
  }
}
