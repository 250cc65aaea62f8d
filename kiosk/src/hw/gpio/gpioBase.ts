import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';

export const DEFAULT_SYSFS_GPIO = '/sys/class/gpio';

/**
 * Labels of the Raspberry Pi SoC GPIO controllers (Pi 1-3 / Pi 4 / Pi 5).
 * Since kernel 6.6 these chips no longer start at 0 in the sysfs numbering
 * (typically 512 on a Pi 4, 571 on a Pi 5), so BCM pin 17 is sysfs 529 there.
 */
const PI_CHIP_LABELS = ['pinctrl-bcm2711', 'pinctrl-bcm2835', 'pinctrl-rp1'];

/**
 * Finds the sysfs number of BCM GPIO 0, or null when there is no Pi GPIO
 * controller to be seen (not a Pi, or sysfs GPIO not available).
 */
export async function detectGpioBase(sysfsRoot: string = DEFAULT_SYSFS_GPIO): Promise<number | null> {
  let names: string[];
  try {
    names = await readdir(sysfsRoot);
  } catch {
    return null;
  }
  let best: number | null = null;
  for (const name of names.filter((n) => n.startsWith('gpiochip')).sort()) {
    try {
      const label = (await readFile(join(sysfsRoot, name, 'label'), 'utf8')).trim();
      if (!PI_CHIP_LABELS.some((l) => label.includes(l))) continue;
      const base = Number.parseInt((await readFile(join(sysfsRoot, name, 'base'), 'utf8')).trim(), 10);
      if (Number.isInteger(base) && base >= 0 && (best === null || base < best)) best = base;
    } catch {
      // A chip without readable label/base is not one we can use; keep looking.
    }
  }
  return best;
}

export interface GpioBaseOptions {
  /** Explicit base from config wins over detection. */
  gpioBase?: number;
  sysfsRoot?: string;
  logger?: Logger;
}

/** The explicit base, else the detected one, else 0 (kernels before 6.6). */
export async function resolveGpioBase(opts: GpioBaseOptions): Promise<number> {
  if (opts.gpioBase !== undefined) return opts.gpioBase;
  const detected = await detectGpioBase(opts.sysfsRoot);
  if (detected === null) {
    opts.logger?.warn({ sysfsRoot: opts.sysfsRoot ?? DEFAULT_SYSFS_GPIO }, 'no Raspberry Pi gpiochip found; assuming GPIO base 0');
    return 0;
  }
  opts.logger?.debug({ gpioBase: detected }, 'detected GPIO base');
  return detected;
}
