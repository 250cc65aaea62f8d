import type { Listener } from '@helppoint/shared';

export type TamperEvents = {
  /** The enclosure door opened (true) or closed (false), after settling. */
  change: [open: boolean];
};

/**
 * What the door loop reads: 'closed' is the only safe state. 'cut' and
 * 'short' can only be told apart from 'open' with the two-contact loop (see
 * GpioTamper.ts); each of them raises the same alarm as an open door.
 */
export type TamperCondition = 'closed' | 'open' | 'cut' | 'short';

/** The door switch of the terminal's enclosure. */
export interface Tamper {
  /** True while the alarm stands (door open, loop cut or shorted); null if it could not be read. */
  readonly open: boolean | null;
  /** The reading behind `open`, where the driver can tell. */
  readonly condition?: TamperCondition | null;
  on<K extends keyof TamperEvents>(event: K, fn: Listener<TamperEvents[K]>): unknown;
  off<K extends keyof TamperEvents>(event: K, fn: Listener<TamperEvents[K]>): unknown;
  close(): Promise<void>;
}
