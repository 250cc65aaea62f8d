import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { AppError, ErrorCode, type KioskPackageView, type RolloutState, type RolloutView, type TerminalHealth } from '@helppoint/shared';
import type { AuditRepo } from '../db/AuditRepo.ts';
import { FINAL_ROLLOUT_STATES, type KioskPackage, type KioskUpdateRepo } from '../db/KioskUpdateRepo.ts';
import type { TerminalRepo } from '../db/TerminalRepo.ts';
import type { TerminalPresence } from '../presence/TerminalPresence.ts';
import { readDebFields } from './debFields.ts';
import { checkDownloadToken, downloadPath } from './downloadToken.ts';

export const KIOSK_PACKAGE = 'helppoint-kiosk';
/** What dpkg calls a version and an architecture, as far as a file name and the wire need. */
const VERSION_RE = /^[0-9][A-Za-z0-9.+~-]{0,31}$/;
const ARCH_RE = /^[a-z0-9]{1,16}$/;
/** A terminal clock this far behind the relay's still counts a report as fresh. */
const REPORT_SKEW_MS = 5_000;
/** Rollout states in which a terminal saying hello is offered the package (again). */
const REOFFER_STATES: readonly RolloutState[] = ['pending', 'offered', 'downloading'];

export interface KioskUpdatesOptions {
  repo: KioskUpdateRepo;
  terminals: TerminalRepo;
  presence: TerminalPresence;
  audit: AuditRepo;
  /** Where the .deb files live (<data dir>/packages), each named <sha256>.deb. */
  packagesDir: string;
  /** Signs the download links (SecretRepo 'kiosk-download'). */
  secret: string;
  maxPackageBytes: number;
  downloadTokenTtlMs: number;
  /** Throws disk_full when the data disk is nearly full (DiskGuard): an upload must not fill it. */
  assertRoom?: () => void;
  logger: Logger;
  now?: () => number;
}

export interface Actor {
  label: string;
  remote: string | undefined;
}

/**
 * Kiosk packages and their rollouts: stores uploads (streamed to disk, checked
 * with dpkg-deb), records one rollout per terminal, offers it to the terminal
 * (at once when connected, else after its next hello), signs the download
 * link, and follows what the terminal reports back. The terminal decides when
 * to install (never during a call): the relay only offers.
 */
export class KioskUpdates {
  readonly #o: KioskUpdatesOptions;
  readonly #log: Logger;
  /** What each terminal said in its last hello: its version and architecture (older kiosks report none). */
  readonly #seen = new Map<string, { version: string; arch: string | undefined }>();

  constructor(opts: KioskUpdatesOptions) {
    this.#o = opts;
    this.#log = opts.logger.child({ component: 'kiosk-updates' });
    fs.mkdirSync(opts.packagesDir, { recursive: true });
  }

  #now(): number {
    return (this.#o.now ?? Date.now)();
  }

  get maxPackageBytes(): number {
    return this.#o.maxPackageBytes;
  }

  packages(): KioskPackageView[] {
    return this.#o.repo.packages().map(publicPackage);
  }

  rollouts(): RolloutView[] {
    return this.#o.repo.latestRollouts();
  }

  /**
   * An uploaded body, streamed to a temporary file while hashed and counted
   * (never held in memory), then checked with dpkg-deb and kept as
   * <sha256>.deb. The same file twice is not an error (created: false).
   */
  async upload(body: Readable, declaredLength: number | null, actor: Actor): Promise<{ pkg: KioskPackageView; created: boolean }> {
    const refuse = (code: ErrorCode, message: string, detail: Record<string, unknown> = {}): never => {
      this.#o.audit.write({ actor: actor.label, action: 'update.upload', outcome: 'refused', detail: { code, ...detail }, remote: actor.remote });
      throw new AppError(code, message);
    };
    const max = this.#o.maxPackageBytes;
    try {
      this.#o.assertRoom?.();
    } catch (error) {
      body.resume();
      if (error instanceof AppError) refuse(error.code, "the relay's data disk is nearly full: the package cannot be stored now");
      throw error;
    }
    if (declaredLength !== null && declaredLength > max) {
      body.resume();
      refuse(ErrorCode.PackageTooLarge, `a kiosk package may be at most ${max} bytes; this one is ${declaredLength}`, { size: declaredLength });
    }
    const tmp = path.join(this.#o.packagesDir, `.upload-${process.pid}-${this.#now()}-${Math.random().toString(36).slice(2)}.part`);
    let size = 0;
    const hash = createHash('sha256');
    try {
      try {
        await new Promise<void>((resolve, reject) => {
          const out = fs.createWriteStream(tmp, { mode: 0o640 });
          const fail = (error: Error) => {
            body.unpipe(out);
            out.destroy();
            reject(error);
          };
          body.on('data', (chunk: Buffer) => {
            size += chunk.length;
            hash.update(chunk);
            if (size > max) fail(new AppError(ErrorCode.PackageTooLarge, `a kiosk package may be at most ${max} bytes`));
          });
          body.on('error', fail);
          out.on('error', fail);
          out.on('finish', () => (size > max ? undefined : resolve()));
          body.pipe(out);
        });
      } catch (error) {
        // The rest of the body is drained so the refusal reaches the client rather than a reset.
        body.resume();
        if (error instanceof AppError) refuse(error.code, error.message, { size });
        throw error;
      }
      if (size === 0) refuse(ErrorCode.PackageInvalid, 'the upload is empty: send the .deb file as the request body');
      const sha256 = hash.digest('hex');
      const fields = await readDebFields(tmp).catch(() => null);
      if (!fields) return refuse(ErrorCode.PackageInvalid, 'the file is not a Debian package (dpkg-deb cannot read it)', { size, sha256 });
      if (fields.package !== KIOSK_PACKAGE) {
        return refuse(ErrorCode.PackageNotKiosk, `the package is ${fields.package || '(unnamed)'}, not ${KIOSK_PACKAGE}`, { size, sha256, package: fields.package });
      }
      if (!VERSION_RE.test(fields.version) || !ARCH_RE.test(fields.architecture)) {
        return refuse(ErrorCode.PackageInvalid, `version "${fields.version}" / architecture "${fields.architecture}" is not usable`, { size, sha256 });
      }
      const existing = this.#o.repo.package(sha256);
      if (existing) return { pkg: publicPackage(existing), created: false };
      const sameVersion = this.#o.repo.packageByVersion(fields.version, fields.architecture);
      if (sameVersion) {
        return refuse(ErrorCode.Conflict, `${KIOSK_PACKAGE} ${fields.version} for ${fields.architecture} is already on the relay with other contents; give the new build a new version`, { sha256, version: fields.version });
      }
      const pkg: KioskPackage = { sha256, package: fields.package, version: fields.version, architecture: fields.architecture, size, uploadedBy: actor.label, uploadedAt: this.#now() };
      fs.renameSync(tmp, this.#file(sha256));
      this.#o.repo.addPackage(pkg);
      this.#o.audit.write({ actor: actor.label, action: 'update.upload', target: `${pkg.version}/${pkg.architecture}`, detail: { sha256, size }, remote: actor.remote });
      this.#log.info({ version: pkg.version, architecture: pkg.architecture, sha256, size }, 'kiosk package uploaded');
      return { pkg: publicPackage(pkg), created: true };
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }

  #file(sha256: string): string {
    return path.join(this.#o.packagesDir, `${sha256}.deb`);
  }

  /** Rolls a package out to these terminals (a later rollout replaces an open one); connected ones are offered at once. */
  rollOut(sha256: string, terminalIds: readonly string[], actor: Actor): RolloutView[] {
    const pkg = this.#o.repo.package(sha256);
    if (!pkg) throw new AppError(ErrorCode.PackageNotFound, `no kiosk package ${sha256} on this relay`);
    const unique = [...new Set(terminalIds)];
    const unknown = unique.filter((id) => !this.#o.terminals.get(id));
    if (unknown.length > 0) throw new AppError(ErrorCode.UnknownTerminal, `not registered: ${unknown.join(', ')}`, { terminalIds: unknown });
    const rows = this.#o.repo.startRollouts(sha256, unique, actor.label, this.#now());
    this.#o.audit.write({ actor: actor.label, action: 'update.rollout', target: `${pkg.version}/${pkg.architecture}`, detail: { sha256, terminals: unique }, remote: actor.remote });
    this.#log.info({ version: pkg.version, terminals: unique.length }, 'kiosk package rolled out');
    return rows.map((r) => this.#offer(r) ?? r);
  }

  /** A terminal said hello: remember what it runs, and offer its open rollout, if any. */
  hello(terminalId: string, info: { version: string; arch?: string | undefined }): void {
    this.#seen.set(terminalId, { version: info.version, arch: info.arch });
    const open = this.#o.repo.openRollout(terminalId);
    // Once downloaded, the package is the terminal's update agent's: offering it again would only fetch it twice.
    if (!open || !REOFFER_STATES.includes(open.state)) return;
    // After the hello's answer has gone out: the kiosk listens for events once it is connected.
    setImmediate(() => this.#offer(this.#o.repo.openRollout(terminalId)));
  }

  /** Sends the offer when the terminal is connected; returns the row as it now stands (null: nothing done). */
  #offer(r: RolloutView | null): RolloutView | null {
    if (!r || FINAL_ROLLOUT_STATES.includes(r.state)) return null;
    const session = this.#o.presence.get(r.terminalId);
    if (!session) return null;
    const seen = this.#seen.get(r.terminalId);
    if (seen?.arch && seen.arch !== r.architecture) {
      return this.#o.repo.setState(r.id, 'failed', `the terminal runs ${seen.arch}; this package is for ${r.architecture}`, this.#now());
    }
    // The kiosk ignores an offer of what it runs: the rollout is done already.
    if (seen?.version === r.version) return this.#o.repo.setState(r.id, 'updated', `already running ${r.version}`, this.#now());
    const now = this.#now();
    const url = downloadPath(this.#o.secret, { terminalId: r.terminalId, sha256: r.sha256, expiresAt: now + this.#o.downloadTokenTtlMs });
    const pkg = this.#o.repo.package(r.sha256)!;
    session.send('update.offer', { version: r.version, architecture: r.architecture, sha256: r.sha256, size: pkg.size, url });
    this.#o.repo.markOffered(r.id, now);
    this.#log.info({ terminalId: r.terminalId, version: r.version }, 'kiosk package offered');
    return this.#o.repo.openRollout(r.terminalId) ?? r;
  }

  /** The kiosk's word on its download (update.progress). A report about another package than the open rollout's is ignored. */
  progress(terminalId: string, p: { sha256: string; state: 'downloading' | 'downloaded' | 'failed'; reason?: string | undefined }): void {
    const open = this.#o.repo.openRollout(terminalId);
    if (!open || open.sha256 !== p.sha256) {
      this.#log.info({ terminalId, sha256: p.sha256, state: p.state }, 'download progress for no open rollout: ignored');
      return;
    }
    this.#o.repo.setState(open.id, p.state, p.reason ?? null, this.#now());
    if (p.state === 'failed') {
      this.#log.warn({ terminalId, version: open.version, reason: p.reason }, 'terminal could not take the package');
      this.#o.audit.write({ actor: `terminal:${terminalId}`, action: 'update.download', target: open.version, outcome: 'refused', detail: { sha256: p.sha256, reason: p.reason ?? null } });
    }
  }

  /** Each heartbeat's update report (the terminal's update agent): moves the open rollout along. */
  heartbeat(terminalId: string, health: TerminalHealth | undefined): void {
    const u = health?.update;
    if (!u) return;
    const open = this.#o.repo.openRollout(terminalId);
    if (!open) return;
    // state.json stays until the next update: a report from before this rollout (a retry after a rollback) is old news.
    const atRelay = u.at - (health.clockOffsetMs ?? 0);
    if (atRelay < open.requestedAt - REPORT_SKEW_MS) return;
    let next: { state: RolloutState; reason: string | null } | null = null;
    if ((u.state === 'rolled_back' || u.state === 'failed') && u.failedVersion === open.version) next = { state: u.state, reason: u.reason ?? null };
    else if (u.state !== 'rolled_back' && u.state !== 'failed' && u.version === open.version) next = { state: u.state, reason: null };
    if (!next || (next.state === open.state && next.reason === open.reason)) return;
    this.#o.repo.setState(open.id, next.state, next.reason, this.#now());
    this.#log.info({ terminalId, version: open.version, state: next.state, reason: next.reason }, 'terminal update state');
  }

  /** The file for a signed download link; every download (and refusal) is audited. */
  download(q: { sha256: string; terminal: string; exp: number; token: string }, remote: string | undefined): { file: string; size: number; version: string } {
    const actor = `terminal:${q.terminal}`;
    try {
      checkDownloadToken(this.#o.secret, { terminalId: q.terminal, sha256: q.sha256, expiresAt: q.exp }, q.token, this.#now());
      const pkg = this.#o.repo.package(q.sha256);
      if (!pkg || !fs.existsSync(this.#file(q.sha256))) throw new AppError(ErrorCode.PackageNotFound, `no kiosk package ${q.sha256} on this relay`);
      this.#o.audit.write({ actor, action: 'update.download', target: pkg.version, detail: { sha256: q.sha256 }, remote });
      return { file: this.#file(q.sha256), size: pkg.size, version: pkg.version };
    } catch (error) {
      const code = error instanceof AppError ? error.code : ErrorCode.Internal;
      this.#o.audit.write({ actor: 'anonymous', action: 'update.download', target: q.sha256, outcome: 'refused', detail: { code, terminal: q.terminal }, remote });
      throw error;
    }
  }
}

const publicPackage = (p: KioskPackage): KioskPackageView => ({ sha256: p.sha256, version: p.version, architecture: p.architecture, size: p.size, uploadedBy: p.uploadedBy, uploadedAt: p.uploadedAt });
