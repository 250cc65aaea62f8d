export type Gesture = 'press' | 'long-press';

export interface GestureTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface ButtonGesturesOptions {
  onGesture: (gesture: Gesture, atMs: number) => void;
  /** Held this long = cancel. Two seconds is long enough not to happen by accident. */
  longPressMs?: number;
  /** Edges closer than this to the previous accepted edge are contact bounce. */
  debounceMs?: number;
  /** Returns the current time in ms (same clock as the atMs passed to down/up). */
  now?: () => number;
  /** Injected so tests can drive time; defaults to the global timers. */
  timers?: GestureTimers;
}

type State =
  | { kind: 'up' }
  | { kind: 'down'; sinceMs: number; timer: unknown }
  // Held, but the hold has already produced its gesture (long-press fired, or
  // the hold was reported as a press at start-up): the release is silent.
  | { kind: 'consumed' };

const defaultTimers: GestureTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Turns raw button edges into gestures. Pure apart from timers: a long press
 * must fire while the button is still held, so a resident who keeps pressing
 * hears "cancelled" without having to guess when to let go. Edges within
 * debounceMs of the last accepted edge are bounce and ignored, except that the
 * level the line settles at is honoured when the window closes.
 */
export class ButtonGestures {
  readonly longPressMs: number;
  readonly debounceMs: number;
  #onGesture: ButtonGesturesOptions['onGesture'];
  #now: () => number;
  #timers: GestureTimers;
  #state: State = { kind: 'up' };
  #lastEdgeMs: number | null = null;
  // The latest level reported, even by an edge that was ignored as bounce.
  #raw: { down: boolean; atMs: number } | null = null;
  #settleTimer: unknown = null;

  constructor(opts: ButtonGesturesOptions) {
    this.#onGesture = opts.onGesture;
    this.longPressMs = opts.longPressMs ?? 2000;
    this.debounceMs = opts.debounceMs ?? 30;
    this.#now = opts.now ?? (() => performance.now());
    this.#timers = opts.timers ?? defaultTimers;
  }

  get isDown(): boolean {
    return this.#state.kind !== 'up';
  }

  /** Button went down at atMs. Returns false when the edge was ignored (for now). */
  down(atMs: number): boolean {
    return this.#edge(true, atMs);
  }

  /** Button released at atMs. Returns false when the edge was ignored (for now). */
  up(atMs: number): boolean {
    return this.#edge(false, atMs);
  }

  /**
   * The button is found already held (read at start-up) and the caller has
   * reported that as a press: swallow the rest of this hold.
   */
  markHeld(atMs: number): void {
    this.#clearTimers();
    this.#state = { kind: 'consumed' };
    this.#raw = { down: true, atMs };
  }

  /** Cancels pending timers; no gesture fires afterwards. */
  dispose(): void {
    this.#clearTimers();
    this.#state = { kind: 'up' };
  }

  #edge(down: boolean, atMs: number): boolean {
    this.#raw = { down, atMs };
    // A repeated level (an edge the kernel coalesced) changes nothing.
    if (down === this.isDown) return false;
    if (this.#lastEdgeMs !== null && atMs - this.#lastEdgeMs < this.debounceMs) {
      // Ignored as bounce for now, but if the line stays at this level the
      // edge was real (a quick tap): apply it when the window closes, or a
      // lost release would later fire a phantom long-press (a cancel).
      this.#settleTimer ??= this.#timers.setTimeout(
        () => this.#settle(),
        Math.max(0, this.#lastEdgeMs + this.debounceMs - this.#now()),
      );
      return false;
    }
    this.#apply(down, atMs);
    return true;
  }

  #settle(): void {
    this.#settleTimer = null;
    const raw = this.#raw;
    if (raw && raw.down !== this.isDown) this.#apply(raw.down, raw.atMs);
  }

  #apply(down: boolean, atMs: number): void {
    this.#lastEdgeMs = atMs;
    if (down) {
      // atMs may lie in the past when applied by #settle.
      const remaining = Math.max(0, this.longPressMs - (this.#now() - atMs));
      const timer = this.#timers.setTimeout(() => this.#longPressDue(), remaining);
      this.#state = { kind: 'down', sinceMs: atMs, timer };
      return;
    }
    const state = this.#state;
    this.#state = { kind: 'up' };
    if (state.kind !== 'down') return;
    this.#timers.clearTimeout(state.timer);
    // The timer may not have run yet if the event loop was busy; the edge
    // timestamps are the truth.
    this.#emit(atMs - state.sinceMs >= this.longPressMs ? 'long-press' : 'press', atMs);
  }

  #clearTimers(): void {
    if (this.#state.kind === 'down') this.#timers.clearTimeout(this.#state.timer);
    if (this.#settleTimer !== null) this.#timers.clearTimeout(this.#settleTimer);
    this.#settleTimer = null;
  }

  #longPressDue(): void {
    if (this.#state.kind !== 'down') return;
    this.#state = { kind: 'consumed' };
    this.#emit('long-press', this.#now());
  }

  // State is always settled before this is called, so even a throwing
  // callback cannot leave the machine half-updated.
  #emit(gesture: Gesture, atMs: number): void {
    this.#onGesture(gesture, atMs);
  }
}
