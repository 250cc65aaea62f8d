import type { Listener } from '@helppoint/shared';

/**
 * High-level gestures, not raw edges: the call logic only cares whether the
 * resident asked for help (press) or wants to cancel (long-press). Each event
 * carries the monotonic time (ms) at which the gesture was recognised.
 */
export type ButtonEvents = {
  press: [atMs: number];
  'long-press': [atMs: number];
  /** The line cannot be trusted (held far longer than a press), or null once it is released again. */
  fault: [detail: string | null];
  closed: [];
};

export interface Button {
  on<K extends keyof ButtonEvents>(event: K, fn: Listener<ButtonEvents[K]>): unknown;
  off<K extends keyof ButtonEvents>(event: K, fn: Listener<ButtonEvents[K]>): unknown;
  /**
   * Reads the line once and returns whether the button is held. A hold found
   * at start-up is not rung at once: released soon, it is emitted as 'press'
   * (someone pressed while the service was restarting); held on past any real
   * press, it is a wiring fault ('fault'), never a call. Call it after the
   * listeners are wired.
   */
  readNow(): boolean;
  /** A wiring fault seen on the line (stuck pressed), or null; drivers that cannot tell leave it out. */
  readonly fault?: string | null;
  close(): Promise<void>;
}
