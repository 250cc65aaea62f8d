import type { Logger } from 'pino';
import type { GpioBackend, GpioLine, GpioLineRequest } from '../GpioLine.ts';
import { runTool } from '../runTool.ts';
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
  /**
   * Raspberry Pi OS's `pinctrl` (raspi-utils), which sets a pin's pull at run
   * time through /dev/gpiomem (group gpio). null: never try.
   */
  pinctrl?: string | null;
}

const PINCTRL_PULL = { 'pull-up': 'pu', 'pull-down': 'pd', disabled: 'pn' } as const;

/**
 * sysfs GPIO through onoff. sysfs cannot set pulls: the package writes the
 * `gpio=` lines of config.txt (kiosk/deploy-data/config.txt.gpio) and the
 * firmware sets them at boot. Until the first reboot after the package wrote
 * them they are not in force, so the pull is also set now with `pinctrl`
 * where Raspberry Pi OS has it. Debounce is onoff's software debounce.
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
    return new SysfsGpioBackend(base, Gpio, opts.pinctrl === undefined ? 'pinctrl' : opts.pinctrl, opts.logger);
  }

  readonly #pinctrl: string | null;

  private constructor(base: number, Gpio: OnoffGpioConstructor, pinctrl: string | null, logger: Logger | undefined) {
    this.base = base;
    this.#Gpio = Gpio;
    this.#pinctrl = pinctrl;
    this.#logger = logger?.child({ component: 'gpio' });
    this.description = `sysfs GPIO (onoff), BCM 0 = sysfs ${base}; pulls come from config.txt gpio= lines`;
  }

  async open(req: GpioLineRequest): Promise<GpioLine> {
    const gpio = this.base + req.offset;
    if (req.bias && req.direction === 'in') await this.#setPull(req.offset, req.bias);
    try {
      return new this.#Gpio(gpio, req.direction, req.edge, { debounceTimeout: req.debounceMs ?? 0 });
    } catch (err) {
      throw new Error(`cannot open GPIO ${gpio} (BCM ${req.offset}, base ${this.base}) through sysfs`, { cause: err });
    }
  }

  async #setPull(offset: number, bias: NonNullable<GpioLineRequest['bias']>): Promise<void> {
    if (!this.#pinctrl) return;
    try {
      await runTool(this.#pinctrl, ['set', String(offset), PINCTRL_PULL[bias]]);
      this.#logger?.debug({ offset, bias }, 'pull set with pinctrl');
    } catch (err) {
      this.#logger?.warn({ offset, bias, err: err instanceof Error ? err.message : String(err) }, 'pull not set at run time; relying on the config.txt gpio= line');
    }
  }
}
