import type { Logger } from 'pino';
import { Backoff, type BackoffOptions } from '@helppoint/shared';
import { AtChannel } from './AtChannel.ts';
import { isCregQueryAnswer, parseCops, parseCreg, parseCsq } from './atParse.ts';
import { MODEM_ABSENT, ModemError, type Modem, type ModemStatus } from './Modem.ts';
import { fitOneUcs2Sms, toUcs2Hex } from './ucs2.ts';

export interface SerialModemOptions {
  /** e.g. /dev/ttyUSB2 (Quectel AT port) or /dev/serial/by-id/... */
  path: string;
  baudRate?: number;
  logger?: Logger;
  commandTimeoutMs?: number;
  /** Reopen attempts after the port vanished (USB modem reset, unplugged). */
  reopen?: BackoffOptions;
  /** How long the network may take to accept a message (AT+CMGS). */
  smsTimeoutMs?: number;
}

/** The parts of serialport's SerialPort this driver uses. */
interface Port {
  write(data: string): boolean;
  on(event: 'data', fn: (chunk: Buffer) => void): unknown;
  on(event: 'close' | 'error', fn: (err?: Error | null) => void): unknown;
  close(cb?: (err?: Error | null) => void): void;
  readonly isOpen: boolean;
}

/** E.164-ish: a leading + and digits; anything else never reaches the modem. */
const PHONE = /^\+?[0-9]{3,20}$/;

/**
 * An LTE modem over its AT port (serialport), the only owner of that port.
 * Polls signal (AT+CSQ), registration (AT+CREG?) and operator (AT+COPS?),
 * and sends SMS in text mode with the UCS2 character set so Chinese arrives
 * intact. A modem that stops answering or vanishes reads as
 * `present: false` and is reopened with capped exponential backoff; nothing
 * here throws into the kiosk except a refused SMS, which the caller retries.
 */
export class SerialModem implements Modem {
  readonly #opts: SerialModemOptions;
  readonly #log: Logger | undefined;
  readonly #channel: AtChannel;
  readonly #backoff: Backoff;
  #port: Port | null = null;
  #opening: Promise<void> | null = null;
  #reopenTimer: ReturnType<typeof setTimeout> | null = null;
  #status: ModemStatus | null = null;
  #closed = false;
  /** Polls and messages are multi-command dialogues: one at a time, so a poll never runs in UCS2. */
  #ops: Promise<unknown> = Promise.resolve();
  #polling: Promise<ModemStatus> | null = null;
  /** The modem may be in UCS2 (a message failed before the reset went through): back to GSM first. */
  #charsetDirty = false;

  private constructor(opts: SerialModemOptions) {
    this.#opts = opts;
    this.#log = opts.logger?.child({ component: 'modem', path: opts.path });
    this.#backoff = new Backoff({ initialMs: 1000, maxMs: 60_000, ...opts.reopen });
    this.#channel = new AtChannel({
      write: (data) => {
        if (!this.#port?.isOpen) throw new Error('port not open');
        this.#port.write(data);
      },
      timeoutMs: opts.commandTimeoutMs ?? 2000,
      ...(this.#log ? { logger: this.#log } : {}),
    });
    this.#channel.on('urc', (line) => this.#log?.debug({ line }, 'modem URC'));
  }

  /** Resolves at once; the port opens in the background so a missing modem never blocks start-up. */
  static create(opts: SerialModemOptions): SerialModem {
    const modem = new SerialModem(opts);
    modem.#ensureOpen().catch(() => undefined);
    return modem;
  }

  get status(): ModemStatus | null {
    return this.#status;
  }

  /** Polls that pile up behind a long SMS share one dialogue rather than queueing one each. */
  poll(): Promise<ModemStatus> {
    this.#polling ??= this.#exclusive(() => this.#poll()).finally(() => (this.#polling = null));
    return this.#polling;
  }

  /**
   * Text mode with the UCS2 character set (AT+CSCS="UCS2", data coding 8 in
   * AT+CSMP): number and text travel as UTF-16 hex, so no character can be
   * lost or taken for a control code. At most one message (70 units); longer
   * text is cut with "…". The character set goes back to GSM afterwards so
   * the next AT+COPS? answer is plain text.
   */
  sendSms(to: string, text: string): Promise<{ reference: number }> {
    if (!PHONE.test(to)) return Promise.reject(new ModemError('at_error', `not a phone number: ${to}`));
    return this.#exclusive(() => this.#sendSms(to, fitOneUcs2Sms(text)));
  }

  async #poll(): Promise<ModemStatus> {
    try {
      await this.#ensureOpen();
      await this.#gsmCharset();
      const csq = await this.#query('AT+CSQ', (l) => l.startsWith('+CSQ:'));
      const creg = await this.#query('AT+CREG?', isCregQueryAnswer);
      const cops = await this.#query('AT+COPS?', (l) => l.startsWith('+COPS:'));
      this.#status = { present: true, ...parseCsq(csq), registration: parseCreg(creg), operator: parseCops(cops) };
    } catch (err) {
      const code = err instanceof ModemError ? err.code : 'bad_response';
      this.#log?.warn({ code, err: err instanceof Error ? err.message : String(err) }, 'modem poll failed');
      this.#status = { ...MODEM_ABSENT };
    }
    return this.#status;
  }

  async #sendSms(to: string, text: string): Promise<{ reference: number }> {
    await this.#ensureOpen();
    // Set before every message: the modem may have been reset since the last one.
    await this.#channel.command('AT+CMGF=1');
    this.#charsetDirty = true;
    try {
      await this.#channel.command('AT+CSCS="UCS2"');
      // fo=17 (SMS-SUBMIT, relative validity), vp=167 (24 h), pid=0, dcs=8 (UCS2)
      await this.#channel.command('AT+CSMP=17,167,0,8');
      const lines = await this.#channel.command(`AT+CMGS="${toUcs2Hex(to)}"`, {
        payload: toUcs2Hex(text),
        timeoutMs: this.#opts.smsTimeoutMs ?? 60_000,
        accept: (l) => l.startsWith('+CMGS:'),
      });
      const ref = Number(/\+CMGS:\s*(\d+)/.exec(lines[0] ?? '')?.[1]);
      if (!Number.isInteger(ref)) throw new ModemError('bad_response', 'the modem did not confirm the message');
      this.#log?.info({ to, reference: ref, units: text.length }, 'SMS sent');
      return { reference: ref };
    } finally {
      await this.#gsmCharset().catch((err: unknown) => this.#log?.warn({ err: err instanceof Error ? err.message : String(err) }, 'character set not reset; the next poll tries again'));
    }
  }

  async #gsmCharset(): Promise<void> {
    if (!this.#charsetDirty) return;
    await this.#channel.command('AT+CSCS="GSM"');
    this.#charsetDirty = false;
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#ops.then(fn, fn);
    this.#ops = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#reopenTimer) clearTimeout(this.#reopenTimer);
    this.#channel.fail('modem closed');
    const port = this.#port;
    this.#port = null;
    if (port?.isOpen) await new Promise<void>((r) => port.close(() => r()));
  }

  async #query(cmd: string, accept: (line: string) => boolean): Promise<string> {
    const lines = await this.#channel.command(cmd, { accept });
    const line = lines[0];
    if (!line) throw new ModemError('bad_response', `${cmd}: OK without an answer line`);
    return line;
  }

  #ensureOpen(): Promise<void> {
    if (this.#closed) return Promise.reject(new ModemError('closed', 'modem closed'));
    if (this.#port?.isOpen) return Promise.resolve();
    this.#opening ??= this.#open().finally(() => (this.#opening = null));
    return this.#opening;
  }

  async #open(): Promise<void> {
    // serialport is loaded here only, so simulated terminals and tests never need its native addon.
    const { SerialPort } = await import('serialport');
    const port = await new Promise<Port>((resolve, reject) => {
      const p = new SerialPort({ path: this.#opts.path, baudRate: this.#opts.baudRate ?? 115200, autoOpen: true }, (err) => (err ? reject(err) : resolve(p as unknown as Port)));
    }).catch((err: unknown) => {
      this.#scheduleReopen();
      throw new ModemError('gone', `cannot open ${this.#opts.path}: ${err instanceof Error ? err.message : String(err)}`);
    });
    if (this.#closed) {
      port.close();
      throw new ModemError('closed', 'modem closed');
    }
    this.#port = port;
    this.#channel.reset();
    port.on('data', (chunk) => this.#channel.feed(chunk));
    port.on('error', (err) => this.#log?.warn({ err: err?.message }, 'modem port error'));
    port.on('close', () => {
      if (this.#port !== port) return;
      this.#port = null;
      this.#channel.fail('modem port closed (unplugged or reset)');
      this.#status = { ...MODEM_ABSENT };
      this.#log?.warn('modem vanished; will reopen');
      this.#scheduleReopen();
    });
    this.#log?.info('modem port open');
    // Echo off and numeric errors; the channel copes with echo anyway, as some modems ignore ATE0.
    await this.#channel.command('ATE0').catch(() => undefined);
    await this.#channel.command('AT+CMEE=1').catch(() => undefined);
    await this.#channel.command('AT+COPS=3,0').catch(() => undefined);
    // A kiosk that died mid-message may have left the modem in UCS2.
    this.#charsetDirty = true;
    await this.#gsmCharset().catch(() => undefined);
    this.#backoff.reset();
  }

  #scheduleReopen(): void {
    if (this.#closed || this.#reopenTimer) return;
    const delay = this.#backoff.next();
    this.#reopenTimer = setTimeout(() => {
      this.#reopenTimer = null;
      this.#ensureOpen().catch(() => undefined);
    }, delay);
    this.#reopenTimer.unref?.();
  }
}
