import type { Listener } from '@helppoint/shared';

export type TamperEvents = {
  /** The enclosure door opened (true) or closed (false), after settling. */
  change: [open: boolean];
};

/** The door switch of the terminal's enclosure. */
export interface Tamper {
  /** Current state; null if it could not be read. */
  readonly open: boolean | null;
  on<K extends keyof TamperEvents>(event: K, fn: Listener<TamperEvents[K]>): unknown;
  off<K extends keyof TamperEvents>(event: K, fn: Listener<TamperEvents[K]>): unknown;
  close(): Promise<void>;
}
