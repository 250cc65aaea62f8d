import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fromUcs2Hex, toUcs2Hex } from '../ucs2.ts';

/** What the simulated modem answers, and the faults it can be told to show. */
export interface SimModemState {
  echo: boolean;
  csq: number;
  /** CREG <stat>: 1 home, 5 roaming, 2 searching... */
  creg: number;
  operator: string | null;
  /** Ignore every command (a hung modem). */
  silent: boolean;
  /** Answer this late (ms). */
  delayMs: number;
  /** Bytes of noise and a URC before each answer. */
  noisy: boolean;
  /** Refuse this many of the next messages with +CMS ERROR: 500 (Infinity: all of them). */
  refuseSms: number;
}

/** A message as the network would deliver it: decoded from UCS2 when that character set was selected. */
export interface RecordedSms {
  to: string;
  text: string;
  /** Date.now() when the modem took it. */
  at: number;
}

/** Minimal serial-port surface the responder needs (serialport's SerialPort fits). */
interface PortLike {
  write(data: string | Buffer): unknown;
  on(event: 'data', fn: (chunk: Buffer) => void): unknown;
  close(cb?: (err?: Error | null) => void): void;
  readonly isOpen: boolean;
}

const NOISE = Buffer.from([0x00, 0xff, 0x13, 0x7f, 0xfe, 0x41, 0x54, 0x1b]);

/**
 * A modem on a pty pair for tests: socat links two ptys; the driver under
 * test opens `path`, and this responder answers AT commands on the other end
 * like a Quectel module would, including the character set (AT+CSCS): in
 * UCS2 the phone number, the message and the operator name travel as hex.
 * It records every command and every SMS (decoded), and can go silent,
 * answer late, add noise and URCs, refuse messages, or vanish (socat is
 * killed, so the device node disappears).
 */
export class AtModemSimulator {
  /** The device node the driver opens. */
  readonly path: string;
  readonly state: SimModemState = { echo: true, csq: 21, creg: 1, operator: 'CHINA MOBILE', silent: false, delayMs: 0, noisy: false, refuseSms: 0 };
  /** Every command line received, in order (also while silent). */
  readonly commands: string[] = [];
  readonly sms: RecordedSms[] = [];
  readonly #dir: string;
  readonly #socat: ChildProcess;
  readonly #port: PortLike;
  #input = '';
  #smsTo: string | null = null;
  #charset = 'GSM';
  #ref = 0;
  #timers = new Set<ReturnType<typeof setTimeout>>();

  private constructor(parts: { dir: string; socat: ChildProcess; port: PortLike; devicePath: string }) {
    this.#dir = parts.dir;
    this.#socat = parts.socat;
    this.#port = parts.port;
    this.path = parts.devicePath;
    this.#port.on('data', (chunk) => this.#onData(chunk));
  }

  static async start(): Promise<AtModemSimulator> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-modem-'));
    const devicePath = path.join(dir, 'ttyModem');
    const simPath = path.join(dir, 'ttySim');
    const socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${devicePath}`, `pty,raw,echo=0,link=${simPath}`], { stdio: 'ignore' });
    const deadline = Date.now() + 5000;
    while (!(fs.existsSync(devicePath) && fs.existsSync(simPath))) {
      if (Date.now() > deadline || socat.exitCode !== null) {
        socat.kill('SIGKILL');
        throw new Error('socat did not create the pty pair');
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    // Test-only: the simulator is the hardware side, so it may use serialport itself.
    const { SerialPort } = await import('serialport');
    const port = await new Promise<PortLike>((resolve, reject) => {
      const p = new SerialPort({ path: simPath, baudRate: 115200 }, (err) => (err ? reject(err) : resolve(p)));
    });
    return new AtModemSimulator({ dir, socat, port, devicePath });
  }

  /** The character set the driver last selected (AT+CSCS); a fresh modem is in GSM. */
  get charset(): string {
    return this.#charset;
  }

  /** As if a driver that died mid-message had left the modem in UCS2. */
  set charset(value: 'GSM' | 'UCS2') {
    this.#charset = value;
  }

  /** Sends raw bytes as the modem (URCs, garbage). */
  inject(data: string | Buffer): void {
    if (this.#port.isOpen) this.#port.write(data);
  }

  /** The modem disappears: both ptys go away, as when a USB modem resets. */
  async vanish(): Promise<void> {
    await this.#closePort();
    if (this.#socat.exitCode === null) {
      const exited = new Promise((r) => this.#socat.once('exit', r));
      this.#socat.kill('SIGTERM');
      await exited;
    }
  }

  async close(): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    await this.vanish();
    fs.rmSync(this.#dir, { recursive: true, force: true });
  }

  #closePort(): Promise<void> {
    return new Promise((r) => (this.#port.isOpen ? this.#port.close(() => r()) : r()));
  }

  #onData(chunk: Buffer): void {
    this.#input += chunk.toString('latin1');
    for (;;) {
      if (this.#smsTo !== null) {
        // Ctrl-Z sends the message, Esc cancels it.
        const z = this.#input.indexOf('\x1a');
        const esc = this.#input.indexOf('\x1b');
        const end = z < 0 ? esc : esc < 0 ? z : Math.min(z, esc);
        if (end < 0) return;
        const text = this.#input.slice(0, end);
        const cancelled = this.#input[end] === '\x1b';
        this.#input = this.#input.slice(end + 1);
        const to = this.#smsTo;
        this.#smsTo = null;
        if (cancelled) this.#reply(['OK']);
        else if (this.state.refuseSms > 0) {
          this.state.refuseSms -= 1;
          this.#reply(['+CMS ERROR: 500']);
        } else this.#takeSms(to, text);
        continue;
      }
      const cr = this.#input.indexOf('\r');
      if (cr < 0) return;
      const cmd = this.#input.slice(0, cr).replace(/^\n+/, '').trim();
      this.#input = this.#input.slice(cr + 1);
      if (!cmd) continue;
      this.commands.push(cmd);
      if (this.state.silent) continue;
      const echo = this.state.echo ? `${cmd}\r` : '';
      this.#answer(cmd, echo);
    }
  }

  #answer(cmd: string, echo: string): void {
    const s = this.state;
    const upper = cmd.toUpperCase();
    if (['AT', 'AT+CMEE=1', 'AT+COPS=3,0', 'AT+CMGF=1'].includes(upper) || upper.startsWith('AT+CSMP=')) return this.#reply(['OK'], echo);
    if (upper === 'ATE0' || upper === 'ATE1') {
      this.#reply(['OK'], echo);
      s.echo = upper === 'ATE1';
      return;
    }
    const cscs = /^AT\+CSCS="(GSM|IRA|UCS2)"$/i.exec(cmd);
    if (cscs) {
      this.#charset = cscs[1]!.toUpperCase();
      return this.#reply(['OK'], echo);
    }
    if (upper === 'AT+CSQ') return this.#reply([`+CSQ: ${s.csq},99`, 'OK'], echo);
    if (upper === 'AT+CREG?') return this.#reply([`+CREG: 0,${s.creg}`, 'OK'], echo);
    if (upper === 'AT+COPS?') return this.#reply([s.operator ? `+COPS: 0,0,"${this.#encode(s.operator)}",7` : '+COPS: 0', 'OK'], echo);
    const cmgs = /^AT\+CMGS="([^"]+)"$/i.exec(cmd);
    const to = cmgs ? this.#decode(cmgs[1]!) : null;
    if (to !== null && /^\+?\d{3,20}$/.test(to)) {
      this.#smsTo = to;
      this.#send(`${echo}\r\n> `);
      return;
    }
    this.#reply(['ERROR'], echo);
  }

  #takeSms(to: string, body: string): void {
    const text = this.#decode(body);
    // 305: invalid text mode parameter (the body is not hex of the selected character set).
    if (text === null) return this.#reply(['+CMS ERROR: 305']);
    this.sms.push({ to, text, at: Date.now() });
    this.#reply([`+CMGS: ${++this.#ref}`, 'OK']);
  }

  /** Text from the driver in the selected character set; null if it is not valid there. */
  #decode(text: string): string | null {
    if (this.#charset !== 'UCS2') return text;
    try {
      return fromUcs2Hex(text);
    } catch {
      return null;
    }
  }

  #encode(text: string): string {
    return this.#charset === 'UCS2' ? toUcs2Hex(text) : text;
  }

  #reply(lines: string[], echo = ''): void {
    const noise = this.state.noisy ? Buffer.concat([NOISE, Buffer.from('\r\n+CREG: 5\r\n\r\nRING\r\n')]).toString('latin1') : '';
    this.#send(echo + noise + lines.map((l) => `\r\n${l}\r\n`).join(''));
  }

  #send(text: string): void {
    const write = () => this.inject(Buffer.from(text, 'latin1'));
    if (this.state.delayMs <= 0) return write();
    const t = setTimeout(() => {
      this.#timers.delete(t);
      write();
    }, this.state.delayMs);
    this.#timers.add(t);
  }
}
