import { MODEM_ABSENT, ModemError, type Modem, type ModemStatus } from './Modem.ts';

/** The modem twin: reports whatever status a test or the demo sets; records SMS. */
export class SimModem implements Modem {
  #status: ModemStatus;
  #polled: ModemStatus | null = null;
  readonly sent: { to: string; text: string }[] = [];
  #closed = false;

  constructor(status: Partial<ModemStatus> = {}) {
    this.#status = { present: true, csq: 20, rssiDbm: -73, registration: 'home', operator: 'CHINA MOBILE', ...status };
  }

  set(status: Partial<ModemStatus>): void {
    this.#status = { ...this.#status, ...status };
  }

  get status(): ModemStatus | null {
    return this.#polled;
  }

  async poll(): Promise<ModemStatus> {
    this.#polled = this.#closed ? { ...MODEM_ABSENT } : { ...this.#status };
    return this.#polled;
  }

  async sendSms(to: string, text: string): Promise<{ reference: number }> {
    if (this.#closed || !this.#status.present) throw new ModemError('gone', 'no modem');
    this.sent.push({ to, text });
    return { reference: this.sent.length };
  }

  async close(): Promise<void> {
    this.#closed = true;
  }
}
