import { SerialPort } from 'serialport';
import type { Logger } from 'pino';
import { AtSmsSender } from './AtSmsSender.ts';
import type { SmsSender } from './SmsSender.ts';

/**
 * The real modem: opens the serial port for each message and closes it
 * after, so a modem that re-enumerated on USB (or was busy with another
 * component) is found again next time. Only main.ts constructs this.
 */
export class SerialSmsSender implements SmsSender {
  readonly #path: string;
  readonly #baudRate: number;
  readonly #log: Logger;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(opts: { path: string; baudRate: number; logger: Logger }) {
    this.#path = opts.path;
    this.#baudRate = opts.baudRate;
    this.#log = opts.logger;
  }

  send(to: string, text: string): Promise<{ reference: number }> {
    const run = () => this.#sendOnce(to, text);
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #sendOnce(to: string, text: string): Promise<{ reference: number }> {
    const port = new SerialPort({ path: this.#path, baudRate: this.#baudRate, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    const at = new AtSmsSender({ stream: port, logger: this.#log });
    try {
      return await at.send(to, text);
    } finally {
      at.close();
      await new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
    }
  }

  close(): void {}
}
