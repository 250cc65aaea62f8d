import path from 'node:path';
import type { Logger } from 'pino';
import type { GpioBackend, GpioLine, GpioLineRequest } from '../GpioLine.ts';
import { GpiodInputLine, GpiodOutputLine } from './GpiodLines.ts';
import { parseGpiodetect, probeGpiodTools, runTool, type GpioChipInfo, type GpiodTools } from './gpiodTools.ts';

/**
 * Labels of the SoC GPIO controller whose offsets are the BCM numbers, most
 * specific first: Pi 5 (RP1), Pi 4, Pi 1-3. Chip numbers moved between kernel
 * releases (and gpiochip4 became gpiochip0 on the Pi 5), labels did not.
 */
export const PI_GPIO_CHIP_LABELS = ['pinctrl-rp1', 'pinctrl-bcm2711', 'pinctrl-bcm2835'] as const;

export interface CdevGpioBackendOptions {
  /** A chip label to use instead of the Raspberry Pi ones (another board, or gpio-sim in a test). */
  chipLabel?: string | undefined;
  /** Where gpiochipN device nodes live. */
  devRoot?: string | undefined;
  /** Directory holding the libgpiod tools; PATH when omitted (tests put fakes here). */
  toolsDir?: string | undefined;
  logger?: Logger | undefined;
}

export class GpioChipNotFoundError extends Error {
  readonly code = 'gpio_chip_not_found';
  readonly chips: GpioChipInfo[];
  constructor(wanted: readonly string[], chips: GpioChipInfo[]) {
    const seen = chips.length ? chips.map((c) => `${c.name} [${c.label}]`).join(', ') : 'none';
    super(`no GPIO chip labelled ${wanted.join(' or ')} (chips found: ${seen})`);
    this.chips = chips;
  }
}

/** The chip to use: the configured label, else the first Raspberry Pi label present. Never a number. */
export function pickGpioChip(chips: GpioChipInfo[], chipLabel?: string): GpioChipInfo {
  const wanted = chipLabel ? [chipLabel] : PI_GPIO_CHIP_LABELS;
  for (const label of wanted) {
    const chip = chips.find((c) => c.label === label);
    if (chip) return chip;
  }
  throw new GpioChipNotFoundError(wanted, chips);
}

/**
 * The GPIO character device through Debian's libgpiod tools, each line held
 * by its own child (gpiomon for inputs, gpioset for outputs), supervised like
 * the ffmpeg pipes. The tools set the bias (pull-up for the button and door
 * loop) and, with libgpiod 2, the kernel debounce, so nothing depends on
 * config.txt; a crashing child costs one line for half a second, never the
 * service. No native addon, so nothing to cross-compile for arm64.
 */
export class CdevGpioBackend implements GpioBackend {
  readonly kind = 'cdev' as const;
  readonly description: string;
  readonly chip: GpioChipInfo;
  readonly chipPath: string;
  readonly tools: GpiodTools;
  readonly #logger: Logger | undefined;

  static async create(opts: CdevGpioBackendOptions = {}): Promise<CdevGpioBackend> {
    const tools = await probeGpiodTools(opts.toolsDir);
    const chips = parseGpiodetect(await runTool(tools.bin.gpiodetect, []));
    const chip = pickGpioChip(chips, opts.chipLabel);
    return new CdevGpioBackend(tools, chip, path.join(opts.devRoot ?? '/dev', chip.name), opts.logger);
  }

  private constructor(tools: GpiodTools, chip: GpioChipInfo, chipPath: string, logger: Logger | undefined) {
    this.tools = tools;
    this.chip = chip;
    this.chipPath = chipPath;
    this.#logger = logger;
    this.description = `character device ${chipPath} [${chip.label}], libgpiod tools v${tools.version}`;
  }

  async open(req: GpioLineRequest): Promise<GpioLine> {
    if (!Number.isInteger(req.offset) || req.offset < 0 || req.offset >= this.chip.lines) {
      throw new Error(`GPIO ${req.offset} is not a line of ${this.chip.name} [${this.chip.label}] (0-${this.chip.lines - 1})`);
    }
    const o = { tools: this.tools, chip: this.chipPath, request: req, logger: this.#logger };
    try {
      return req.direction === 'in' ? await GpiodInputLine.open(o) : await GpiodOutputLine.open(o);
    } catch (err) {
      throw new Error(`cannot open GPIO ${req.offset} on ${this.chipPath} [${this.chip.label}]`, { cause: err });
    }
  }
}
