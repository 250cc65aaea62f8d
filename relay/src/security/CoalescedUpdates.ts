/**
 * Coalesces per-key updates for consoles: the newest value per key is kept
 * and flushed at most once per interval, so a terminal heartbeating (or
 * being made to heartbeat) many times a second costs every console one
 * message per interval, not one per heartbeat. The first update after a
 * quiet interval goes out at once, and so does any update `urgent` says is
 * a real change against the last one sent (a terminal going offline, an
 * alarm): only the routine ones wait.
 */
export class CoalescedUpdates<T> {
  readonly #pending = new Map<string, T>();
  readonly #lastSent = new Map<string, number>();
  readonly #lastValue = new Map<string, T>();
  readonly #urgent: (sent: T, next: T) => boolean;
  readonly #intervalMs: number;
  readonly #send: (value: T) => void;
  readonly #now: () => number;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #closed = false;

  constructor(opts: { intervalMs: number; send: (value: T) => void; now?: () => number; urgent?: (sent: T, next: T) => boolean }) {
    this.#urgent = opts.urgent ?? (() => false);
    this.#intervalMs = opts.intervalMs;
    this.#send = opts.send;
    this.#now = opts.now ?? Date.now;
  }

  push(key: string, value: T): void {
    if (this.#closed) return;
    const now = this.#now();
    const last = this.#lastSent.get(key);
    const sent = this.#lastValue.get(key);
    if (((last === undefined || now - last >= this.#intervalMs) && !this.#pending.has(key)) || (sent !== undefined && this.#urgent(sent, value))) {
      this.#pending.delete(key);
      this.#emit(key, value, now);
      return;
    }
    this.#pending.set(key, value);
    this.#timer ??= setTimeout(() => this.#flush(), this.#intervalMs);
    this.#timer.unref?.();
  }

  #flush(): void {
    this.#timer = null;
    const now = this.#now();
    const due = [...this.#pending];
    this.#pending.clear();
    for (const [key, value] of due) this.#emit(key, value, now);
    if (this.#lastSent.size > 20_000) {
      this.#lastSent.clear();
      this.#lastValue.clear();
    }
  }

  #emit(key: string, value: T, now: number): void {
    this.#lastSent.set(key, now);
    this.#lastValue.set(key, value);
    this.#send(value);
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#pending.clear();
  }
}
