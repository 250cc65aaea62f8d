import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { AtChannel } from './AtChannel.ts';
import type { SmsSender } from './SmsSender.ts';
import { toUcs2Hex } from './ucs2.ts';

/**
 * SMS through the modem in text mode (AT+CMGF=1) with the UCS2 character
 * set, so the address can be in Chinese. The mode is set before every
 * message: the modem may have been reset (or driven by another component)
 * since the last one.
 */
export class AtSmsSender implements SmsSender {
  readonly #at: AtChannel;
  readonly #log: Logger;

  constructor(opts: { stream: Duplex; logger: Logger }) {
    this.#log = opts.logger.child({ component: 'sms' });
    this.#at = new AtChannel({ stream: opts.stream, logger: this.#log });
  }

  async send(to: string, text: string): Promise<{ reference: number }> {
    if (!/^\+?[0-9]{3,20}$/.test(to)) throw new Error(`"${to}" is not a phone number`);
    await this.#at.command('ATE0');
    await this.#at.command('AT+CMGF=1');
    await this.#at.command('AT+CSCS="UCS2"');
    // fo=17 (SMS-SUBMIT, relative validity), vp=167 (24 h), pid=0, dcs=8 (UCS2)
    await this.#at.command('AT+CSMP=17,167,0,8');
    const lines = await this.#at.command(`AT+CMGS="${toUcs2Hex(to)}"`, { payload: toUcs2Hex(text), timeoutMs: 60_000 });
    const ref = lines.map((l) => /^\+CMGS:\s*(\d+)/.exec(l)).find(Boolean);
    const reference = ref ? Number(ref[1]) : -1;
    this.#log.info({ to, reference }, 'SMS accepted by the modem');
    return { reference };
  }

  close(): void {
    this.#at.close();
  }
}
