/** Steady light = connected; slow blink = calling; fast blink = fault/attention. */
export type LedMode = 'off' | 'on' | 'blink-slow' | 'blink-fast';

export interface Led {
  /** Setting the current mode again is a no-op, so a blink keeps its rhythm. */
  set(mode: LedMode): void;
  readonly mode: LedMode;
  close(): Promise<void>;
}

/** Half-periods: slow blink is 1 Hz, fast blink 4 Hz. */
export const BLINK_HALF_PERIOD_MS: Record<'blink-slow' | 'blink-fast', number> = {
  'blink-slow': 500,
  'blink-fast': 125,
};
