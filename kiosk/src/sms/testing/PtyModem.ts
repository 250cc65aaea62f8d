import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SerialPort } from 'serialport';
import { fromUcs2Hex } from '../ucs2.ts';

export interface RecordedSms {
  to: string;
  text: string;
  at: number;
}

/**
 * A modem for tests: socat makes a pty pair; the kiosk opens `path` like a
 * serial modem, and this object answers AT commands on the other end and
 * records every SMS that AT+CMGS sends (decoded from UCS2 when that
 * character set was selected).
 */
export class PtyModem {
  readonly path: string;
  readonly messages: RecordedSms[] = [];
  /** Commands seen, in order (for asserting the dialogue). */
  readonly commands: string[] = [];
  /** The next n AT+CMGS are refused with +CMS ERROR: 500. */
  failNext = 0;
  readonly #dir: string;
  readonly #socat: ChildProcess;
  #port: SerialPort | null = null;
  #buffer = '';
  #ucs2 = false;
  #smsTo: string | null = null;
  #ref = 0;

  private constructor(dir: string, socat: ChildProcess) {
    this.#dir = dir;
    this.#socat = socat;
    this.path = path.join(dir, 'modem');
  }

  static async start(): Promise<PtyModem> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-modem-'));
    const socat = spawn('socat', [`pty,raw,echo=0,link=${path.join(dir, 'modem')}`, `pty,raw,echo=0,link=${path.join(dir, 'sim')}`], { stdio: 'ignore' });
    const modem = new PtyModem(dir, socat);
    const deadline = Date.now() + 5000;
    while (!fs.existsSync(path.join(dir, 'sim')) || !fs.existsSync(modem.path)) {
      if (Date.now() > deadline || socat.exitCode !== null) throw new Error('socat did not create the pty pair');
      await new Promise((r) => setTimeout(r, 20));
    }
    const port = new SerialPort({ path: path.join(dir, 'sim'), baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    port.on('data', (d: Buffer) => modem.#onData(d.toString('latin1')));
    modem.#port = port;
    return modem;
  }

  #write(text: string): void {
    this.#port?.write(text);
  }

  #onData(text: string): void {
    this.#buffer += text;
    for (;;) {
      if (this.#smsTo !== null) {
        // Ctrl-Z sends the message, Esc abandons it.
        const z = this.#buffer.indexOf('\x1a');
        const esc = this.#buffer.indexOf('\x1b');
        const end = z < 0 ? esc : esc < 0 ? z : Math.min(z, esc);
        if (end < 0) return;
        const body = this.#buffer.slice(0, end);
        const cancelled = this.#buffer[end] === '\x1b';
        this.#buffer = this.#buffer.slice(end + 1);
        const to = this.#smsTo;
        this.#smsTo = null;
        if (cancelled) {
          this.#write('\r\nOK\r\n');
        } else if (this.failNext > 0) {
          this.failNext--;
          this.#write('\r\n+CMS ERROR: 500\r\n');
        } else {
          this.messages.push({ to, text: this.#ucs2 ? fromUcs2Hex(body) : body, at: Date.now() });
          this.#write(`\r\n+CMGS: ${++this.#ref}\r\n\r\nOK\r\n`);
        }
        continue;
      }
      const cr = this.#buffer.indexOf('\r');
      if (cr < 0) return;
      const line = this.#buffer.slice(0, cr).trim();
      this.#buffer = this.#buffer.slice(cr + 1);
      if (line) this.#command(line);
    }
  }

  #command(line: string): void {
    this.commands.push(line);
    const cmgs = /^AT\+CMGS="([^"]*)"$/i.exec(line);
    if (cmgs) {
      this.#smsTo = this.#ucs2 ? fromUcs2Hex(cmgs[1]!) : cmgs[1]!;
      this.#write('\r\n> ');
      return;
    }
    const cscs = /^AT\+CSCS="([^"]*)"$/i.exec(line);
    if (cscs) this.#ucs2 = cscs[1]!.toUpperCase() === 'UCS2';
    if (/^AT\+CSQ$/i.test(line)) this.#write('\r\n+CSQ: 20,99\r\n');
    this.#write(/^AT/i.test(line) ? '\r\nOK\r\n' : '\r\nERROR\r\n');
  }

  async close(): Promise<void> {
    const port = this.#port;
    this.#port = null;
    if (port?.isOpen) await new Promise<void>((r) => port.close(() => r()));
    this.#socat.kill('SIGTERM');
    fs.rmSync(this.#dir, { recursive: true, force: true });
  }
}
