import type { Logger } from 'pino';
import type { TerminalSender } from '@helppoint/shared';
import type { Outbox } from './Outbox.ts';

export interface CourierSignal extends TerminalSender {
  readonly ready: boolean;
  on(event: 'connected', fn: () => void): unknown;
}

/** Refusals that a retry cannot cure; anything else (timeout, disconnected, internal) is retried. */
const FINAL_CODES = new Set(['bad_message', 'unknown_terminal', 'unknown_type', 'forbidden']);

/**
 * Delivers presses the call machine is no longer waiting on (the resident gave
 * up, the kiosk restarted) with `late: true`, so the relay records a missed
 * call for the officers to call back. Runs on every reconnect and then every
 * `retryMs` while anything is pending. The relay is idempotent by requestId.
 */
export class OutboxCourier {
  readonly #outbox: Outbox;
  readonly #signal: CourierSignal;
  readonly #active: () => string | null;
  readonly #log: Logger;
  readonly #timer: ReturnType<typeof setInterval>;
  #running = false;
  #closed = false;

  constructor(opts: { outbox: Outbox; signal: CourierSignal; activeRequestId: () => string | null; logger: Logger; retryMs?: number }) {
    this.#outbox = opts.outbox;
    this.#signal = opts.signal;
    this.#active = opts.activeRequestId;
    this.#log = opts.logger.child({ component: 'outbox' });
    opts.signal.on('connected', () => void this.flush());
    this.#timer = setInterval(() => void this.flush(), opts.retryMs ?? 15_000);
    this.#timer.unref?.();
  }

  /** Sends every pending press once; returns how many the relay acknowledged. */
  async flush(): Promise<number> {
    if (this.#running || this.#closed || !this.#signal.ready) return 0;
    this.#running = true;
    let acked = 0;
    try {
      for (const entry of this.#outbox.pending()) {
        if (this.#closed || !this.#signal.ready) break;
        if (entry.requestId === this.#active()) continue; // the call machine is delivering it live
        this.#outbox.noteAttempt(entry.requestId);
        try {
          const r = await this.#signal.request('help.request', { requestId: entry.requestId, pressedAt: entry.pressedAt, late: true });
          this.#outbox.markDelivered(entry.requestId, r.callId);
          acked++;
          this.#log.warn({ requestId: entry.requestId, callId: r.callId, missed: r.missed ?? false, pressedAt: entry.pressedAt }, 'press delivered late from the outbox');
        } catch (error) {
          const code = (error as { code?: string }).code ?? 'internal';
          if (FINAL_CODES.has(code)) {
            this.#outbox.markRefused(entry.requestId, code);
            this.#log.error({ requestId: entry.requestId, code }, 'relay refused an outbox press for good');
          } else {
            this.#log.warn({ requestId: entry.requestId, code }, 'outbox delivery failed; will retry');
            break;
          }
        }
      }
    } finally {
      this.#running = false;
    }
    return acked;
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
  }
}
