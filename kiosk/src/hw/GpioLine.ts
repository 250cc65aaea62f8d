/**
 * One GPIO line as the button, LED and tamper drivers see it, whatever the
 * kernel interface behind it: sysfs through onoff, or the character device
 * (/dev/gpiochipN) through Debian's libgpiod tools. Tests use a fake line.
 */
export type GpioValue = 0 | 1;

export interface GpioLine {
  /** The line's level as last seen (inputs) or driven (outputs). Throws when it has never been read. */
  readSync(): GpioValue;
  writeSync(value: GpioValue): void;
  /**
   * Outputs that can blink by themselves: starts at `first` and toggles every
   * halfPeriodMs until the next writeSync. Absent where the caller must toggle.
   */
  blink?(halfPeriodMs: number, first: GpioValue): void;
  watch(callback: (err: Error | null | undefined, value: GpioValue) => void): void;
  unwatchAll(): void;
  /** Releases the line (sysfs unexport, or stops the libgpiod child holding it). */
  unexport(): void;
}

/** The pull a line needs; the character device sets it, sysfs relies on config.txt `gpio=` lines. */
export type GpioBias = 'pull-up' | 'pull-down' | 'disabled';

export interface GpioLineRequest {
  /** BCM number (the offset on the SoC's GPIO controller), e.g. 17. Never a sysfs number. */
  offset: number;
  /** 'high'/'low' make an output and set its level in one step, so no glitch. */
  direction: 'in' | 'high' | 'low';
  edge?: 'none' | 'rising' | 'falling' | 'both';
  /** The kernel reports an edge once the line has been stable this long (where the interface can). */
  debounceMs?: number;
  bias?: GpioBias;
  /** Names the user of the line in `gpioinfo` (character device only). */
  consumer?: string;
  /**
   * Character device only: read the level afresh this often. An input's level
   * there is followed from its edges, and an edge that came between the first
   * read and the watch starting would otherwise stay unseen until the next one.
   */
  resyncMs?: number;
}

/** Where lines come from. Chosen once in main.ts (see gpio/selectGpioBackend.ts). */
export interface GpioBackend {
  readonly kind: 'sysfs' | 'cdev' | 'fake';
  /** For logs and `doctor`, e.g. "character device /dev/gpiochip0 [pinctrl-bcm2711], libgpiod tools v1.6.3". */
  readonly description: string;
  open(request: GpioLineRequest): Promise<GpioLine>;
}
