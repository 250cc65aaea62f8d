import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { EnrolResult } from '../enrol/enrolCommand.ts';
import type { ProvisionFeedback } from './feedback.ts';
import { classifyEnrolError, clockProblem, ledFor, PROVISION_RESULT_EN, type ProvisionOutcome } from './outcome.ts';
import { parseProvisionFile, ProvisionFileError, withoutCode, type ProvisionFile } from './provisionFile.ts';

export interface ProvisionerOptions {
  /** The boot partition (FAT, readable from a technician's laptop) holding helppoint.txt. */
  bootDir: string;
  stateDir: string;
  feedback: ProvisionFeedback;
  logger: Logger;
  /** `helppoint-kiosk enrol` as a function (kiosk/src/enrol/enrolCommand.ts). */
  enrol: (argv: string[]) => Promise<EnrolResult>;
  /** The relay's clock (its HTTP Date header), or null when it cannot be read. */
  relayDate: (relay: string, ca: Buffer | undefined) => Promise<number | null>;
  /** When this software was built: a clock before it is certainly wrong. */
  builtAt: number;
  /** How long an unreachable relay is retried before giving up (the unit has its own timeout too). */
  waitMs: number;
  retryMs: number;
  /** Files written for the service's user (provisioning runs as root). */
  owner: { uid: number; gid: number } | null;
  now?: () => number;
}

export interface ProvisionResult {
  outcome: ProvisionOutcome;
  detail: string;
  terminalId?: string;
}

const RESULT_FILE = 'helppoint-result.txt';

/**
 * First-boot provisioning: reads helppoint.txt, enrols with its one-time code,
 * spends the code (the line becomes a comment), and says the outcome three
 * ways: LED, voice, and helppoint-result.txt on the boot partition for a
 * technician who takes the card out. Transient failures (relay unreachable)
 * are retried for waitMs; a wrong code or clock is reported at once, since
 * waiting cannot fix it.
 */
export class Provisioner {
  readonly #o: ProvisionerOptions;
  readonly #log: Logger;

  constructor(opts: ProvisionerOptions) {
    this.#o = opts;
    this.#log = opts.logger.child({ component: 'provision' });
  }

  get #file(): string {
    return path.join(this.#o.bootDir, 'helppoint.txt');
  }

  async run(): Promise<ProvisionResult> {
    const o = this.#o;
    const now = o.now ?? Date.now;
    let text: string;
    let file: ProvisionFile;
    try {
      text = fs.readFileSync(this.#file, 'utf8');
      file = parseProvisionFile(text);
    } catch (error) {
      const detail = error instanceof ProvisionFileError ? error.message : `cannot read ${this.#file}: ${(error as Error).message}`;
      return this.#finish({ outcome: 'bad_file', detail });
    }
    if (file.code === null) {
      const enrolled = fs.existsSync(path.join(o.stateDir, 'kiosk.json'));
      return this.#finish(enrolled ? { outcome: 'already_enrolled', detail: 'helppoint.txt holds no code; the terminal keeps its enrolment' } : { outcome: 'bad_file', detail: 'helppoint.txt has no code= line and this terminal is not enrolled' });
    }
    const caFile = file.ca ? this.#copyCa(file.ca) : undefined;
    if (caFile instanceof Error) return this.#finish({ outcome: 'bad_file', detail: caFile.message });
    const ca = caFile ? fs.readFileSync(caFile) : undefined;

    o.feedback.led('blink-slow');
    await o.feedback.say('working');
    const deadline = now() + o.waitMs;
    let lastSaid = 0;
    for (let attempt = 1; ; attempt++) {
      const clock = clockProblem(now(), o.builtAt, await o.relayDate(file.relay, ca).catch(() => null));
      if (clock) return this.#finish({ outcome: 'clock_wrong', detail: clock });
      try {
        const argv = ['--relay', file.relay, '--code', file.code, '--state-dir', o.stateDir, ...(caFile ? ['--ca', caFile] : [])];
        const r = await o.enrol(argv);
        this.#chown([r.configFile, r.keyFile, ...(caFile ? [caFile] : [])]);
        this.#spendCode(text, new Date(now()));
        return this.#finish({ outcome: 'enrolled', detail: `${r.terminalId} ${r.place} (key ${r.keyFingerprint})`, terminalId: r.terminalId });
      } catch (error) {
        const { outcome, retry } = classifyEnrolError(error);
        const detail = `${(error as Error).message}${(error as { code?: string }).code ? ` (${(error as { code?: string }).code})` : ''}`;
        this.#log.warn({ attempt, outcome, detail }, 'enrolment attempt failed');
        if (!retry || now() + o.retryMs > deadline) return this.#finish({ outcome, detail });
        // Say it once a minute while waiting: the technician may be fixing the cable right now.
        if (now() - lastSaid > 60_000) {
          o.feedback.led('blink-fast');
          await o.feedback.say(outcome);
          lastSaid = now();
        }
        await new Promise((r) => setTimeout(r, o.retryMs));
      }
    }
  }

  #copyCa(name: string): string | Error {
    const from = path.join(this.#o.bootDir, name);
    try {
      const pem = fs.readFileSync(from, 'utf8');
      if (!pem.includes('-----BEGIN CERTIFICATE-----')) return new Error(`${name} is not a PEM certificate`);
      const to = path.join(this.#o.stateDir, 'relay-ca.pem');
      fs.mkdirSync(this.#o.stateDir, { recursive: true });
      fs.writeFileSync(to, pem, { mode: 0o644 });
      return to;
    } catch (error) {
      return new Error(`cannot read the CA file ${from}: ${(error as Error).message}`);
    }
  }

  #chown(files: string[]): void {
    const owner = this.#o.owner;
    if (!owner) return;
    for (const f of files) fs.chownSync(f, owner.uid, owner.gid);
  }

  /** Atomic on FAT too (write, fsync, rename): a power cut leaves the old file or the new one. */
  #spendCode(text: string, when: Date): void {
    writeDurably(this.#file, withoutCode(text, when));
  }

  async #finish(r: ProvisionResult): Promise<ProvisionResult> {
    const o = this.#o;
    const lines = [
      `HelpPoint provisioning ${new Date((o.now ?? Date.now)()).toISOString()}`,
      `result: ${r.outcome}`,
      `meaning: ${PROVISION_RESULT_EN[r.outcome]}`,
      `detail: ${r.detail}`,
      '',
    ];
    try {
      writeDurably(path.join(o.bootDir, RESULT_FILE), lines.join('\n'));
    } catch (err) {
      this.#log.warn({ err }, 'could not write the result file');
    }
    (r.outcome === 'enrolled' || r.outcome === 'already_enrolled' ? this.#log.info.bind(this.#log) : this.#log.error.bind(this.#log))({ outcome: r.outcome, detail: r.detail }, 'provisioning finished');
    o.feedback.led(ledFor(r.outcome));
    await o.feedback.say(r.outcome);
    return r;
  }
}

function writeDurably(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o644);
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}
