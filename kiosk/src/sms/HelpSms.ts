import type { Logger } from 'pino';
import type { Outbox } from '../store/Outbox.ts';
import type { SmsSender } from './SmsSender.ts';
import { helpSmsText } from './smsText.ts';

export interface HelpSmsOptions {
  /** null: no modem fitted or configured; the press still waits in the outbox. */
  sender: SmsSender | null;
  outbox: Outbox;
  dutyNumbers: string[];
  locationId: string;
  address: string;
  timeZone: string;
  logger: Logger;
  /** Attempts per duty number before giving up on it. */
  attempts?: number;
  retryDelayMs?: number;
}

/**
 * The second path for a press the relay cannot take: one SMS per duty
 * number with the location ID, address and time. Sent once per request ID
 * (the outbox records it), each number retried a few times; one number that
 * fails does not stop the others.
 */
export class HelpSms {
  readonly #o: HelpSmsOptions;
  readonly #log: Logger;
  readonly #inFlight = new Map<string, Promise<boolean>>();
  #closed = false;

  constructor(opts: HelpSmsOptions) {
    this.#o = opts;
    this.#log = opts.logger.child({ component: 'help-sms' });
  }

  alert(requestId: string): void {
    void this.send(requestId);
  }

  /** Resolves true once at least one duty number has the message. */
  send(requestId: string): Promise<boolean> {
    const running = this.#inFlight.get(requestId);
    if (running) return running;
    const p = this.#send(requestId).catch((error: unknown) => {
      this.#log.error({ err: error, requestId }, 'help SMS failed');
      return false;
    });
    this.#inFlight.set(requestId, p);
    void p.finally(() => this.#inFlight.delete(requestId));
    return p;
  }

  async #send(requestId: string): Promise<boolean> {
    const { sender, outbox, dutyNumbers } = this.#o;
    const entry = outbox.get(requestId);
    if (!entry) throw new Error(`press ${requestId} is not in the outbox`);
    if (entry.smsSentAt !== null) return true;
    if (!sender || dutyNumbers.length === 0) {
      this.#log.error({ requestId, modem: Boolean(sender), dutyNumbers: dutyNumbers.length }, 'no SMS path configured: the press waits in the outbox for the relay');
      return false;
    }
    const text = helpSmsText({ locationId: this.#o.locationId, address: this.#o.address, pressedAt: entry.pressedAt, timeZone: this.#o.timeZone });
    let delivered = 0;
    for (const to of dutyNumbers) if (await this.#sendOne(to, text, requestId)) delivered++;
    // Recorded only after the modem took it: a crash mid-send repeats the SMS rather than losing it.
    if (delivered > 0) outbox.markSmsSent(requestId);
    this.#log.warn({ requestId, delivered, of: dutyNumbers.length }, 'help SMS sent to the duty numbers');
    return delivered > 0;
  }

  async #sendOne(to: string, text: string, requestId: string): Promise<boolean> {
    const attempts = this.#o.attempts ?? 3;
    for (let i = 1; i <= attempts && !this.#closed; i++) {
      try {
        await this.#o.sender!.send(to, text);
        return true;
      } catch (error) {
        this.#log.warn({ err: (error as Error).message, to, requestId, attempt: i }, 'SMS not accepted by the modem');
        if (i < attempts) await new Promise((r) => setTimeout(r, (this.#o.retryDelayMs ?? 3000) * i));
      }
    }
    return false;
  }

  close(): void {
    this.#closed = true;
    this.#o.sender?.close();
  }
}
