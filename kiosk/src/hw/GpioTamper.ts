import type { Logger } from 'pino';
import { TypedEmitter } from '@helppoint/shared';
import type { GpioBackend, GpioLine, GpioValue } from './GpioLine.ts';
import type { Tamper, TamperCondition, TamperEvents } from './Tamper.ts';

export interface GpioTamperOptions {
  /**
   * BCM pin wired to the normally-closed contact of the door switch, whose
   * common is at ground: 0 while the door is shut. Pull-up.
   */
  gpio: number;
  /**
   * BCM pin wired to the normally-open contact of the same (changeover)
   * switch: 1 while the door is shut, 0 when it opens. Pull-up. Without it the
   * loop still reads open and cut as alarm, but a short to ground reads shut.
   */
  gpioNo?: number | null | undefined;
  backend: GpioBackend;
  /** A level must hold this long before it counts (a door rattling in the wind is not an alarm each time). */
  settleMs?: number;
  /** How often the character-device backend re-reads the loop (see GpioLineRequest.resyncMs). */
  resyncMs?: number;
  logger?: Logger;
}

/**
 * The enclosure door switch, fail-safe. The Pi has no ADC, so the alarm
 * panel's end-of-line resistor cannot be measured; instead a changeover
 * (SPDT) switch feeds two pulled-up inputs that must disagree:
 *
 *   NC, NO  | reads
 *   0   1   | closed (door shut)
 *   1   0   | open   (door open)
 *   1   1   | cut    (a wire or the common is cut, or the switch is gone)
 *   0   0   | short  (a wire shorted to ground or to the other one)
 *
 * Every single fault either alarms at once or still alarms when the door
 * opens (a cut NO wire reads shut, then "cut" as the NC contact opens), so
 * defeating the loop takes two deliberate changes inside the enclosure.
 * With the NC contact alone, open and cut alarm but a short reads shut.
 */
export class GpioTamper extends TypedEmitter<TamperEvents> implements Tamper {
  #nc: GpioLine;
  #no: GpioLine | null;
  #settleMs: number;
  #logger: Logger | undefined;
  #condition: TamperCondition | null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #closed = false;

  static async create(opts: GpioTamperOptions): Promise<GpioTamper> {
    const logger = opts.logger?.child({ component: 'tamper' });
    const open = async (offset: number, role: string): Promise<GpioLine> => {
      try {
        return await opts.backend.open({
          offset,
          direction: 'in',
          edge: 'both',
          debounceMs: 20,
          bias: 'pull-up',
          consumer: `helppoint-tamper-${role}`,
          // A door state must never stay stale: read afresh every few minutes (character device).
          resyncMs: opts.resyncMs ?? 300_000,
        });
      } catch (err) {
        throw new Error(`cannot open the tamper ${role} contact on BCM ${offset} (${opts.backend.description})`, { cause: err });
      }
    };
    const nc = await open(opts.gpio, 'nc');
    let no: GpioLine | null = null;
    if (opts.gpioNo != null) {
      try {
        no = await open(opts.gpioNo, 'no');
      } catch (err) {
        nc.unexport();
        throw err;
      }
    }
    return new GpioTamper(nc, no, opts, logger);
  }

  private constructor(nc: GpioLine, no: GpioLine | null, opts: GpioTamperOptions, logger: Logger | undefined) {
    super({ logger });
    this.#nc = nc;
    this.#no = no;
    this.#settleMs = opts.settleMs ?? 300;
    this.#logger = logger;
    this.#condition = this.#read();
    if (this.#condition !== 'closed') this.#logger?.warn({ condition: this.#condition }, 'door loop not closed at start-up');
    for (const line of [nc, no]) {
      line?.watch((err) => {
        if (err) return this.#logger?.warn({ err }, 'tamper GPIO watch error');
        this.#schedule();
      });
    }
  }

  get open(): boolean | null {
    return this.#condition === null ? null : this.#condition !== 'closed';
  }

  get condition(): TamperCondition | null {
    return this.#condition;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    for (const line of [this.#nc, this.#no]) {
      try {
        line?.unwatchAll();
        line?.unexport();
      } catch (err) {
        this.#logger?.warn({ err }, 'releasing tamper GPIO failed');
      }
    }
  }

  #read(): TamperCondition | null {
    let nc: GpioValue;
    let no: GpioValue | null = null;
    try {
      nc = this.#nc.readSync();
      if (this.#no) no = this.#no.readSync();
    } catch (err) {
      this.#logger?.warn({ err }, 'cannot read tamper GPIO');
      return null;
    }
    return tamperCondition(nc, no);
  }

  /** Reads the loop again once it has been quiet for settleMs; only a real change is reported. */
  #schedule(): void {
    if (this.#closed) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      const now = this.#read();
      if (now === null || now === this.#condition) return;
      const wasAlarm = this.#condition !== null && this.#condition !== 'closed';
      this.#condition = now;
      this.#logger?.warn({ condition: now }, now === 'closed' ? 'enclosure closed' : `tamper alarm: loop reads ${now}`);
      // open -> cut is still the same standing alarm; only alarm on/off is news for the relay.
      if (wasAlarm !== (now !== 'closed')) this.emit('change', now !== 'closed');
    }, this.#settleMs);
  }
}

/** The truth table above; `no` null for the single-contact loop. */
export function tamperCondition(nc: GpioValue, no: GpioValue | null): TamperCondition {
  if (no === null) return nc === 0 ? 'closed' : 'open';
  if (nc === 0 && no === 1) return 'closed';
  if (nc === 1 && no === 0) return 'open';
  return nc === 1 ? 'cut' : 'short';
}
