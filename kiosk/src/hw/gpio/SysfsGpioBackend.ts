import type { Logger } from 'pino';
import type { GpioBackend, GpioLine, GpioLineRequest } from '../GpioLine.ts';
import { resolveGpioBase } from './gpioBase.ts';

/** The constructor of onoff's Gpio, as far as this backend uses it. */
export type OnoffGpioConstructor = new (
  gpio: number,
  direction: 'in' | 'high' | 'low',
  edge?: 'none' | 'rising' | 'falling' | 'both',
  options?: { debounceTimeout?: number },
) => GpioLine;

export interface SysfsGpioBackendOptions {
  /** sysfs number of BCM 0; detected from the chip labels when omitted. */
  gpioBase?: number | undefined;
  sysfsRoot?: string | undefined;
  logger?: Logger | undefined;
  /** Tests inject a fake; production imports onoff (lazily, so machines without it still run the rest). */
  Gpio?: OnoffGpioConstructor;
}

/**
 * sysfs GPIO through onoff. sysfs cannot set pulls: the package writes the
 * `gpio=` lines of config.txt (kiosk/deploy-data/config.txt.gpio) and the
 * firmware sets them at boot. Debounce is onoff's software debounce.
 */
export class SysfsGpioBackend implements GpioBackend {
  readonly kind = 'sysfs' as const;
  readonly description: string;
  readonly base: number;
  readonly #Gpio: OnoffGpioConstructor;
  readonly #logger: Logger | undefined;

  static async create(opts: SysfsGpioBackendOptions = {}): Promise<SysfsGpioBackend> {
    const base = await resolveGpioBase({ gpioBase: opts.gpioBase, sysfsRoot: opts.sysfsRoot, logger: opts.logger });
    const Gpio = opts.Gpio ?? ((await import('onoff')).Gpio as unknown as OnoffGpioConstructor);
    return new SysfsGpioBackend(base, Gpio, opts.logger);
  }

  private constructor(base: number, Gpio: OnoffGpioConstructor, logger: Logger | undefined) {
    this.base = base;
    this.#Gpio = Gpio;
    this.#logger = logger?.child({ component: 'gpio' });
    this.description = `sysfs GPIO (onoff), BCM 0 = sysfs ${base}; pulls come from config.txt gpio= lines`;
  }

  async open(req: GpioLineRequest): Promise<GpioLine> {
    const gpio = this.base + req.offset;
    if (req.bias && req.bias !== 'disabled') this.#logger?.debug({ offset: req.offset, bias: req.bias }, 'sysfs cannot set bias; relying on config.txt');
    try {
      return new this.#Gpio(gpio, req.direction, req.edge, { debounceTimeout: req.debounceMs ?? 0 });
    } catch (err) {
      throw new Error(`cannot open GPIO ${gpio} (BCM ${req.offset}, base ${this.base}) through sysfs`, { cause: err });
    }
  }
}
