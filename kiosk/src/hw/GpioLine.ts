/**
 * The subset of onoff's Gpio the drivers use. Declared here so the drivers can
 * be tested with a fake line: onoff cannot open GPIOs off a Raspberry Pi.
 */
export type GpioValue = 0 | 1;

export interface GpioLine {
  readSync(): GpioValue;
  writeSync(value: GpioValue): void;
  watch(callback: (err: Error | null | undefined, value: GpioValue) => void): void;
  unwatchAll(): void;
  unexport(): void;
}

export interface GpioLineRequest {
  /** The kernel (sysfs) number, i.e. chip base + BCM offset. */
  gpio: number;
  /** 'high'/'low' make an output and set its level in one step, so no glitch. */
  direction: 'in' | 'high' | 'low';
  edge?: 'none' | 'rising' | 'falling' | 'both';
  debounceTimeout?: number;
}

export type GpioFactory = (request: GpioLineRequest) => GpioLine;
