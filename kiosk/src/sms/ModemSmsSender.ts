import type { Modem } from '../hw/Modem.ts';
import type { SmsSender } from './SmsSender.ts';

/**
 * The help SMS through the terminal's modem driver, which owns the serial
 * port (it also polls signal and registration for the health report); two
 * owners of one tty would fight over it.
 */
export class ModemSmsSender implements SmsSender {
  readonly #modem: Modem;
  constructor(modem: Modem) {
    this.#modem = modem;
  }
  send(to: string, text: string): Promise<{ reference: number }> {
    return this.#modem.sendSms(to, text);
  }
  close(): void {
    // The modem driver is closed by the kiosk with the other drivers.
  }
}
