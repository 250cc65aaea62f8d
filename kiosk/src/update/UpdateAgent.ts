import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { readJson, updateDir, writeJsonDurably, type UpdateAttempt, type UpdateRequest, type UpdateState } from './updateState.ts';

/** What the agent needs from the system; the real one is dpkg and systemctl (updateCli.ts). */
export interface UpdateSystem {
  installedVersion(): Promise<string>;
  /** Package, Version and Architecture of a .deb file. */
  debFields(file: string): Promise<{ package: string; version: string; architecture: string }>;
  architecture(): Promise<string>;
  /** dpkg -i; rejects with dpkg's output when it fails. */
  install(file: string): Promise<void>;
  /** The kiosk unit as systemd sees it. */
  unit(): Promise<{ activeState: string; subState: string; result: string; nRestarts: number; mainPid: number; execMainStatus: string }>;
  /** The kiosk's local status endpoint, or null when it does not answer. */
  kioskStatus(): Promise<{ version: string; relay: { connected: boolean }; call: { state: string } } | null>;
}

export interface UpdateAgentOptions {
  /** The kiosk's state directory: its update/ holds the request and the downloaded package. */
  stateDir: string;
  /** Root's own directory (attempt.json, state.json, packages/): the kiosk's user cannot change it. */
  agentDir: string;
  system: UpdateSystem;
  logger: Logger;
  /** How long the new kiosk has to come up, reconnect and stay up. */
  confirmMs: number;
  /** It must stay connected with no restart this long to count as passed. */
  stableMs: number;
  pollMs: number;
  /**
   * How long one run waits for a call to end. Past it the run ends as
   * waiting_idle with the request kept, and the path unit starts the next run
   * at once: the update is never dropped, and one run stays well inside the
   * service's TimeoutStartSec (wait + install + confirm + rollback).
   */
  idleWaitMs: number;
  now?: () => number;
}

const PACKAGE = 'helppoint-kiosk';
const IDLE_STATES = new Set(['idle']);
/** Restarts of the new kiosk after which it is rolled back at once. */
const CRASH_LOOP_RESTARTS = 5;

/**
 * The root half of an update (the kiosk, unprivileged, downloads and asks).
 * Installs the requested package only while no call is on (waiting for a call
 * to end as long as it takes, one run of idleWaitMs at a time), then gives the new
 * kiosk confirmMs to start (READY), reconnect to the relay and stay up for
 * stableMs without a restart; otherwise it reinstalls the previous package
 * and records why. Every step is written down first (attempt.json), so a power
 * cut at any point ends, after the next boot, confirmed or rolled back.
 */
export class UpdateAgent {
  readonly #o: UpdateAgentOptions;
  readonly #log: Logger;
  readonly #dir: string;
  readonly #requests: string;

  constructor(opts: UpdateAgentOptions) {
    this.#o = opts;
    this.#log = opts.logger.child({ component: 'update-agent' });
    this.#dir = opts.agentDir;
    this.#requests = updateDir(opts.stateDir);
  }

  #now(): number {
    return (this.#o.now ?? Date.now)();
  }

  #state(s: Omit<UpdateState, 'at'>): UpdateState {
    const full = { ...s, at: this.#now() };
    writeJsonDurably(path.join(this.#dir, 'state.json'), full);
    this.#log.info(full, `update ${s.state}`);
    return full;
  }

  /** One run of the agent: resume a cut-short attempt, else carry out the request, if any. */
  async run(): Promise<UpdateState | null> {
    const attempt = readJson<UpdateAttempt>(path.join(this.#dir, 'attempt.json'));
    if (attempt) {
      this.#log.warn({ attempt }, 'resuming an update that was cut short');
      return this.#resume(attempt);
    }
    const requestFile = path.join(this.#requests, 'request.json');
    const request = readJson<UpdateRequest>(requestFile);
    if (!request) return null;
    let result: UpdateState | null = null;
    try {
      result = await this.#apply(request);
      return result;
    } finally {
      // Kept while a call holds the update up: the path unit starts the agent again at once
      // (it watches for request.json), so the update goes in once the call is over, even
      // after a reboot. A request the kiosk replaced meanwhile is the next one's, not ours.
      if (result?.state !== 'waiting_idle' && readJson<UpdateRequest>(requestFile)?.sha256 === request.sha256) fs.rmSync(requestFile, { force: true });
    }
  }

  async #apply(req: UpdateRequest): Promise<UpdateState | null> {
    const sys = this.#o.system;
    const from = await sys.installedVersion();
    const file = path.resolve(this.#requests, req.file);
    const refuse = (reason: string) => this.#state({ state: 'failed', version: from, failedVersion: req.version, reason });
    if (path.dirname(file) !== this.#requests) return refuse(`package path ${req.file} is outside ${this.#requests}`);
    if (!fs.existsSync(file)) return refuse(`package ${req.file} is missing`);
    const sha = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    if (sha !== req.sha256) return refuse(`package checksum ${sha.slice(0, 12)}… is not the offered ${req.sha256.slice(0, 12)}…`);
    const f = await sys.debFields(file).catch((e: unknown) => ({ package: '', version: '', architecture: String(e) }));
    const arch = await sys.architecture();
    if (f.package !== PACKAGE || f.version !== req.version || f.architecture !== arch) {
      return refuse(`the file is ${f.package || '?'} ${f.version || '?'} for ${f.architecture}, not ${PACKAGE} ${req.version} for ${arch}`);
    }
    if (req.version === from) {
      fs.rmSync(file, { force: true });
      return this.#state({ state: 'updated', version: from });
    }
    const packages = path.join(this.#dir, 'packages');
    const fromDeb = path.join(packages, `${PACKAGE}_${from}_${arch}.deb`);
    if (!fs.existsSync(fromDeb)) return refuse(`no copy of the running version ${from} to roll back to (${fromDeb})`);

    if (!(await this.#waitIdle(req.version))) {
      return this.#state({ state: 'waiting_idle', version: req.version, reason: `a call is on: ${req.version} goes in once it has ended` });
    }
    const now = readJson<UpdateRequest>(path.join(this.#requests, 'request.json'));
    if (now?.sha256 !== req.sha256) {
      // The kiosk took a newer offer while the call went on: that one is installed on the next run, not this one.
      this.#log.info({ waited: req.version, next: now?.version ?? null }, 'the update request was replaced while waiting for the call to end');
      if (now?.file !== req.file) fs.rmSync(file, { force: true });
      return null;
    }
    // Copied, then checked again: the kiosk's user owns the original and could swap it after the check.
    const toDeb = path.join(packages, `${PACKAGE}_${req.version}_${arch}.deb`);
    fs.copyFileSync(file, toDeb);
    fs.rmSync(file, { force: true });
    if (crypto.createHash('sha256').update(fs.readFileSync(toDeb)).digest('hex') !== req.sha256) {
      fs.rmSync(toDeb, { force: true });
      return refuse('the package changed while it was being taken in');
    }
    const attempt: UpdateAttempt = { from, to: req.version, fromDeb, toDeb, phase: 'installing', startedAt: this.#now() };
    writeJsonDurably(path.join(this.#dir, 'attempt.json'), attempt);
    this.#state({ state: 'installing', version: req.version });
    const restartsBefore = (await sys.unit()).nRestarts;
    try {
      await sys.install(toDeb);
    } catch (error) {
      return this.#rollBack(attempt, `dpkg could not install ${req.version}: ${firstLines(error)}`);
    }
    return this.#confirm({ ...attempt, phase: 'confirming' }, restartsBefore);
  }

  async #resume(a: UpdateAttempt): Promise<UpdateState> {
    if (a.phase === 'rolling_back') return this.#rollBack(a, 'the rollback was cut short (power cut?) and is done again');
    // Installing or confirming when the power went: check the version and confirm from scratch.
    if ((await this.#o.system.installedVersion()) !== a.to) {
      try {
        await this.#o.system.install(a.toDeb);
      } catch (error) {
        return this.#rollBack(a, `dpkg could not install ${a.to}: ${firstLines(error)}`);
      }
    }
    return this.#confirm({ ...a, phase: 'confirming' }, (await this.#o.system.unit()).nRestarts);
  }

  /** True once no call is on; false when one is still on after idleWaitMs (the caller keeps the request for the next run). */
  async #waitIdle(version: string): Promise<boolean> {
    const deadline = this.#now() + this.#o.idleWaitMs;
    let said = false;
    for (;;) {
      const s = await this.#o.system.kioskStatus();
      // A kiosk that does not answer has no call on (it may be broken: that is what the update is for).
      if (!s || IDLE_STATES.has(s.call.state)) return true;
      if (!said) {
        // The version it is going to (as installing/confirming): the relay's rollout of it shows "waiting for the call to end".
        this.#state({ state: 'waiting_idle', version });
        said = true;
      }
      if (this.#now() > deadline) return false;
      await sleep(this.#o.pollMs);
    }
  }

  async #confirm(a: UpdateAttempt, restartsBefore: number): Promise<UpdateState> {
    const sys = this.#o.system;
    writeJsonDurably(path.join(this.#dir, 'attempt.json'), a);
    this.#state({ state: 'confirming', version: a.to });
    const deadline = this.#now() + this.#o.confirmMs;
    let stableSince: number | null = null;
    let restarts = restartsBefore;
    let last = 'the kiosk never answered on its status endpoint';
    while (this.#now() < deadline) {
      const u = await sys.unit();
      const s = await sys.kioskStatus();
      if (u.nRestarts > restarts) {
        restarts = u.nRestarts;
        stableSince = null;
        last = `helppoint-kiosk.service restarted ${u.nRestarts - restartsBefore} time(s) (last exit: ${u.execMainStatus || u.result})`;
        // A kiosk that keeps crashing will not get better by waiting: the terminal is down meanwhile.
        if (u.nRestarts - restartsBefore >= CRASH_LOOP_RESTARTS) return this.#rollBack(a, `kiosk ${a.to} does not start: ${last}`);
      } else if (u.activeState !== 'active') {
        stableSince = null;
        last = `helppoint-kiosk.service is ${u.activeState}/${u.subState} (result ${u.result}, exit status ${u.execMainStatus || '?'})`;
      } else if (!s) {
        stableSince = null;
      } else if (s.version !== a.to) {
        stableSince = null;
        last = `the running kiosk reports version ${s.version}, not ${a.to}`;
      } else if (!s.relay.connected) {
        stableSince = null;
        last = `kiosk ${a.to} runs but has not reconnected to the relay`;
      } else {
        stableSince ??= this.#now();
        if (this.#now() - stableSince >= this.#o.stableMs) {
          fs.rmSync(path.join(this.#dir, 'attempt.json'), { force: true });
          this.#prune(a);
          return this.#state({ state: 'updated', version: a.to });
        }
      }
      await sleep(this.#o.pollMs);
    }
    return this.#rollBack(a, `not confirmed within ${Math.round(this.#o.confirmMs / 1000)} s: ${last}`);
  }

  async #rollBack(a: UpdateAttempt, reason: string): Promise<UpdateState> {
    this.#log.error({ from: a.from, to: a.to, reason }, 'update failed: rolling back');
    writeJsonDurably(path.join(this.#dir, 'attempt.json'), { ...a, phase: 'rolling_back' });
    try {
      await this.#o.system.install(a.fromDeb);
    } catch (error) {
      // Keep attempt.json: the next boot tries the rollback again.
      return this.#state({ state: 'failed', version: a.to, failedVersion: a.to, reason: `${reason}; the rollback to ${a.from} failed too: ${firstLines(error)}` });
    }
    fs.rmSync(path.join(this.#dir, 'attempt.json'), { force: true });
    fs.rmSync(a.toDeb, { force: true });
    return this.#state({ state: 'rolled_back', version: a.from, failedVersion: a.to, reason });
  }

  /** Keeps the running package and the one before it; older ones only fill the card. */
  #prune(a: UpdateAttempt): void {
    const dir = path.dirname(a.toDeb);
    for (const f of fs.readdirSync(dir)) {
      const p = path.join(dir, f);
      if (p !== a.toDeb && p !== a.fromDeb && f.endsWith('.deb')) fs.rmSync(p, { force: true });
    }
  }
}

function firstLines(error: unknown): string {
  return String((error as { stderr?: string }).stderr || (error as Error).message || error).trim().split('\n').slice(-3).join(' / ');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
