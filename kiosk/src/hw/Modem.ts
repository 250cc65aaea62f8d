import type { TerminalHealth } from '@helppoint/shared';

/** The LTE part of the health report: what the modem says about the radio link. */
export type ModemStatus = NonNullable<TerminalHealth['lte']>;
export type Registration = ModemStatus['registration'];

export const MODEM_ABSENT: ModemStatus = { present: false, rssiDbm: null, csq: null, registration: 'unknown', operator: null };

/**
 * The LTE modem as the rest of the kiosk sees it. The real one speaks AT
 * commands over a serial port; the twin returns whatever a test sets.
 */
export interface Modem {
  /** Asks the modem now (signal, registration, operator). Never throws: a dead modem is `present: false`. */
  poll(): Promise<ModemStatus>;
  /** The result of the last poll, or null before the first. */
  readonly status: ModemStatus | null;
  /** Sends a text message (the SMS fallback when the data link is down). */
  sendSms(to: string, text: string): Promise<{ reference: number }>;
  close(): Promise<void>;
}

/** Errors from the modem layer, with codes a caller can branch on. */
export class ModemError extends Error {
  readonly code: 'timeout' | 'at_error' | 'gone' | 'bad_response' | 'closed';
  constructor(code: ModemError['code'], message: string) {
    super(message);
    this.name = 'ModemError';
    this.code = code;
  }
}
