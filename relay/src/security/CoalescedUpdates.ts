/**
 * Coalesces per-key updates for consoles: the newest value per key is kept
 * and flushed at most once per interval, so a terminal heartbeating (or
 * being made to heartbeat) many times a second costs every console one
 * message per interval, not one per heartbeat. The first update after a
 * quiet interval goes out at once, so a real change is not delayed.
 */
export class CoalescedUpdates<T> {
  readonly #pending = new Map<string, T>();
  readonly #lastSent = new Map<string, number>();
  readonly #intervalMs: number;
  readonly #send: (value: T) => void;
  readonly #now: () => number;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #closed = false;

  constructor(opts: { intervalMs: number; send: (value: T) => void; now?: () => number }) {
    this.#intervalMs = opts.intervalMs;
    this.#send = opts.send;
    this.#now = opts.now ?? Date.now;
  }

  push(key: string, value: T): void {
    if (this.#closed) return;
    const now = this.#now();
    const last = this.#lastSent.get(key);
    if ((last === undefined || now - last >= this.#intervalMs) && !this.#pending.has(key)) {
      this.#lastSent.set(key, now);
      this.#send(value);
      return;
    }
    this.#pending.set(key, value);
    this.#timer ??= setTimeout(() => this.#flush(), this.#intervalMs);
    this.#timer.unref?.();
  }

  #flush(): void {
    this.#timer = null;
    const now = this.#now();
    for (const [key, value] of this.#pending) {
      this.#lastSent.set(key, now);
      this.#send(value);
    }
    this.#pending.clear();
    if (this.#lastSent.size > 20_000) this.#lastSent.clear();
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#pending.clear();
  }
}
