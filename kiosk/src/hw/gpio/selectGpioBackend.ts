import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { GpioBackend } from '../GpioLine.ts';
import { CdevGpioBackend } from './CdevGpioBackend.ts';
import { DEFAULT_SYSFS_GPIO } from './gpioBase.ts';
import { SysfsGpioBackend } from './SysfsGpioBackend.ts';

export type GpioDriver = 'auto' | 'sysfs' | 'cdev';

export interface SelectGpioOptions {
  driver: GpioDriver;
  gpioBase?: number | undefined;
  chipLabel?: string | undefined;
  sysfsRoot?: string | undefined;
  devRoot?: string | undefined;
  toolsDir?: string | undefined;
  logger?: Logger | undefined;
}

/** What the kernel offers, for `doctor` and for the automatic choice. */
export function gpioInterfaces(o: { sysfsRoot?: string | undefined; devRoot?: string | undefined } = {}): { sysfs: boolean; chips: string[] } {
  const sysfsRoot = o.sysfsRoot ?? DEFAULT_SYSFS_GPIO;
  let chips: string[] = [];
  try {
    chips = readdirSync(o.devRoot ?? '/dev').filter((n) => /^gpiochip\d+$/.test(n)).sort();
  } catch {
    /* no /dev to read */
  }
  // The export file is what onoff needs; a kernel without CONFIG_GPIO_SYSFS has no /sys/class/gpio.
  return { sysfs: existsSync(path.join(sysfsRoot, 'export')), chips };
}

/**
 * sysfs (onoff) where the kernel still has it, as the project chose; the
 * character device when sysfs is gone (it is deprecated upstream); either
 * one when the configuration says so.
 */
export async function selectGpioBackend(o: SelectGpioOptions): Promise<GpioBackend> {
  const found = gpioInterfaces(o);
  const driver = o.driver === 'auto' ? (found.sysfs ? 'sysfs' : 'cdev') : o.driver;
  if (o.driver === 'auto' && !found.sysfs && found.chips.length === 0) {
    throw new Error(`no GPIO interface: neither ${o.sysfsRoot ?? DEFAULT_SYSFS_GPIO}/export nor ${o.devRoot ?? '/dev'}/gpiochip* exists`);
  }
  const backend =
    driver === 'sysfs'
      ? await SysfsGpioBackend.create({ gpioBase: o.gpioBase, sysfsRoot: o.sysfsRoot, logger: o.logger })
      : await CdevGpioBackend.create({ chipLabel: o.chipLabel, devRoot: o.devRoot, toolsDir: o.toolsDir, logger: o.logger });
  o.logger?.info({ gpio: backend.description, driver: o.driver }, 'GPIO backend chosen');
  return backend;
}
