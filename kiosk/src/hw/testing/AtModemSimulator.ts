import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

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
  /** Refuse SMS with +CMS ERROR. */
  smsFails: boolean;
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
 * test opens `devicePath`, and this responder answers AT commands on the
 * other end like a Quectel module would. It records every command it got
 * and every SMS, and can go silent, answer late, add noise and URCs, or
 * vanish (socat is killed, so the device node disappears). New commands
 * (e.g. AT+CMGS for SMS) are one more case in #answer().
 */
export class AtModemSimulator {
  readonly devicePath: string;
  readonly state: SimModemState = { echo: true, csq: 21, creg: 1, operator: 'CHINA MOBILE', silent: false, delayMs: 0, noisy: false, smsFails: false };
  readonly received: string[] = [];
  readonly sms: { to: string; text: string }[] = [];
  readonly #dir: string;
  readonly #socat: ChildProcess;
  readonly #port: PortLike;
  #input = '';
  #smsTo: string | null = null;
  #timers = new Set<ReturnType<typeof setTimeout>>();

  private constructor(parts: { dir: string; socat: ChildProcess; port: PortLike; devicePath: string }) {
    this.#dir = parts.dir;
    this.#socat = parts.socat;
    this.#port = parts.port;
    this.devicePath = parts.devicePath;
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
        else if (this.state.smsFails) this.#reply(['+CMS ERROR: 500']);
        else {
          this.sms.push({ to, text });
          this.#reply([`+CMGS: ${this.sms.length}`, 'OK']);
        }
        continue;
      }
      const cr = this.#input.indexOf('\r');
      if (cr < 0) return;
      const cmd = this.#input.slice(0, cr).replace(/^\n+/, '').trim();
      this.#input = this.#input.slice(cr + 1);
      if (!cmd) continue;
      this.received.push(cmd);
      if (this.state.silent) continue;
      const echo = this.state.echo ? `${cmd}\r` : '';
      this.#answer(cmd, echo);
    }
  }

  #answer(cmd: string, echo: string): void {
    const s = this.state;
    const upper = cmd.toUpperCase();
    if (upper === 'AT' || upper === 'AT+CMEE=1' || upper === 'AT+COPS=3,0' || upper === 'AT+CMGF=1') return this.#reply(['OK'], echo);
    if (upper === 'ATE0' || upper === 'ATE1') {
      this.#reply(['OK'], echo);
      s.echo = upper === 'ATE1';
      return;
    }
    if (upper === 'AT+CSQ') return this.#reply([`+CSQ: ${s.csq},99`, 'OK'], echo);
    if (upper === 'AT+CREG?') return this.#reply([`+CREG: 0,${s.creg}`, 'OK'], echo);
    if (upper === 'AT+COPS?') return this.#reply([s.operator ? `+COPS: 0,0,"${s.operator}",7` : '+COPS: 0', 'OK'], echo);
    const cmgs = /^AT\+CMGS="(\+?\d+)"$/i.exec(cmd);
    if (cmgs) {
      this.#smsTo = cmgs[1]!;
      this.#send(`${echo}\r\n> `);
      return;
    }
    this.#reply(['ERROR'], echo);
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
