import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import type { Logger } from 'pino';
import type { TerminalEventData, TerminalRequestData } from '@helppoint/shared';
import { readJson, updateDir, writeJsonDurably, type UpdateRequest } from './updateState.ts';

export type UpdateOffer = TerminalEventData<'update.offer'>;
export type DownloadReport = TerminalRequestData<'update.progress'>;
export type OfferOutcome = 'ignored' | 'requested' | 'failed' | 'cancelled';

export interface UpdateDownloaderOptions {
  /** The kiosk's state directory: the package and request.json go into its update/. */
  stateDir: string;
  /** ws(s)://relay/ws/terminal: downloads go to the same host over http(s). */
  relayUrl: string;
  /** The pinned station CA, as for the signalling socket. */
  ca?: Buffer | undefined;
  installedVersion: string;
  /** This terminal's Debian architecture (debianArch()). */
  architecture: string;
  /** The request is written only while no call is on (the agent would only wait for it to end). */
  isIdle: () => boolean;
  /** Tells the relay how the download went (update.progress); failures to send are logged, not fatal. */
  report: (r: DownloadReport) => Promise<unknown>;
  logger: Logger;
  idlePollMs?: number;
  /** No byte for this long ends the download. */
  stallTimeoutMs?: number;
}

const PACKAGE = 'helppoint-kiosk';
const VERSION_RE = /^[0-9][A-Za-z0-9.+~-]{0,31}$/;

/** The Debian architecture this Node runs on (what scripts/package-kiosk builds for). */
export function debianArch(arch: string = process.arch): string {
  return ({ x64: 'amd64', arm64: 'arm64', arm: 'armhf', ia32: 'i386' } as Record<string, string>)[arch] ?? arch;
}

/**
 * The unprivileged half of an update: takes the relay's update.offer,
 * downloads the package into <state-dir>/update/ while checking its size and
 * sha256 as it streams, and only then writes request.json (durably), which
 * starts the root update agent (helppoint-kiosk-update.path). A package that
 * does not match the offer is deleted and reported; the agent never sees it.
 */
export class UpdateDownloader {
  readonly #o: UpdateDownloaderOptions;
  readonly #log: Logger;
  readonly #dir: string;
  /** The offer being taken in (one at a time; a newer offer replaces it). */
  #current: { sha256: string; abort: AbortController; done: Promise<OfferOutcome> } | null = null;
  #closed = false;

  constructor(opts: UpdateDownloaderOptions) {
    this.#o = opts;
    this.#log = opts.logger.child({ component: 'update-download' });
    this.#dir = updateDir(opts.stateDir);
  }

  /** Takes an offer; resolves when it was ignored, handed to the agent, failed, or replaced by a newer one. */
  offer(offer: UpdateOffer): Promise<OfferOutcome> {
    if (this.#closed) return Promise.resolve('cancelled');
    if (offer.version === this.#o.installedVersion) {
      this.#log.info({ version: offer.version }, 'offered the version already installed: ignored');
      return Promise.resolve('ignored');
    }
    if (this.#current?.sha256 === offer.sha256) return this.#current.done;
    const pending = readJson<UpdateRequest>(path.join(this.#dir, 'request.json'));
    if (pending?.sha256 === offer.sha256) {
      this.#log.info({ version: offer.version }, 'this package is already waiting for the update agent');
      return Promise.resolve('ignored');
    }
    this.#current?.abort.abort();
    const abort = new AbortController();
    const done = this.#take(offer, abort.signal).finally(() => {
      if (this.#current?.abort === abort) this.#current = null;
    });
    this.#current = { sha256: offer.sha256, abort, done };
    return done;
  }

  close(): void {
    this.#closed = true;
    this.#current?.abort.abort();
  }

  async #take(offer: UpdateOffer, signal: AbortSignal): Promise<OfferOutcome> {
    const fail = async (reason: string): Promise<OfferOutcome> => {
      this.#log.error({ version: offer.version, sha256: offer.sha256, reason }, 'update package refused');
      await this.#report({ sha256: offer.sha256, state: 'failed', reason: reason.slice(0, 400) });
      return 'failed';
    };
    if (!VERSION_RE.test(offer.version)) return fail(`version "${offer.version}" is not a package version`);
    if (offer.architecture !== this.#o.architecture) return fail(`the package is for ${offer.architecture}; this terminal is ${this.#o.architecture}`);
    const name = `${PACKAGE}_${offer.version}.deb`;
    const file = path.join(this.#dir, name);
    const part = `${file}.part`;
    fs.mkdirSync(this.#dir, { recursive: true });
    this.#removeStale(name);
    await this.#report({ sha256: offer.sha256, state: 'downloading' });
    this.#log.info({ version: offer.version, size: offer.size }, 'downloading update package');
    try {
      const got = await this.#download(new URL(offer.url, this.#httpOrigin()), part, offer.size, signal);
      if (got.size !== offer.size) throw new Error(`got ${got.size} bytes, the offer said ${offer.size}`);
      if (got.sha256 !== offer.sha256) throw new Error(`checksum ${got.sha256.slice(0, 12)}… is not the offered ${offer.sha256.slice(0, 12)}…`);
      fs.renameSync(part, file);
    } catch (error) {
      fs.rmSync(part, { force: true });
      if (signal.aborted) return 'cancelled';
      return fail(`download failed: ${(error as Error).message}`);
    }
    // The agent would install at once: a resident mid-call must not lose the terminal.
    while (!this.#o.isIdle()) {
      if (signal.aborted) {
        fs.rmSync(file, { force: true });
        return 'cancelled';
      }
      await new Promise((r) => setTimeout(r, this.#o.idlePollMs ?? 5_000));
    }
    if (signal.aborted) {
      fs.rmSync(file, { force: true });
      return 'cancelled';
    }
    const request: UpdateRequest = { version: offer.version, file: name, sha256: offer.sha256 };
    writeJsonDurably(path.join(this.#dir, 'request.json'), request);
    this.#log.info({ version: offer.version }, 'update package verified: handed to the update agent');
    await this.#report({ sha256: offer.sha256, state: 'downloaded' });
    return 'requested';
  }

  /** Earlier packages and half downloads only fill the card (the agent keeps its own copies for rollback). */
  #removeStale(keep: string): void {
    const pending = readJson<UpdateRequest>(path.join(this.#dir, 'request.json'));
    for (const f of fs.readdirSync(this.#dir)) {
      if (!f.startsWith(`${PACKAGE}_`) || f === keep || f === pending?.file) continue;
      fs.rmSync(path.join(this.#dir, f), { force: true });
    }
  }

  async #report(r: DownloadReport): Promise<void> {
    try {
      await this.#o.report(r);
    } catch (error) {
      this.#log.warn({ err: error, state: r.state }, 'could not tell the relay about the download');
    }
  }

  #httpOrigin(): string {
    const u = new URL(this.#o.relayUrl);
    u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
    return u.origin;
  }

  /** Streams the body to `to`, hashing as it goes; stops at once past `maxBytes` (a relay sending more than it offered). */
  #download(url: URL, to: string, maxBytes: number, signal: AbortSignal): Promise<{ size: number; sha256: string }> {
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.get(url, { signal, timeout: this.#o.stallTimeoutMs ?? 60_000, ...(this.#o.ca ? { ca: this.#o.ca } : {}) }, (res) => {
        if (res.statusCode !== 200) {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.length < 16 && chunks.push(c));
          res.on('end', () => {
            let code = '';
            try {
              code = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { error?: { code?: string } }).error?.code ?? '';
            } catch {
              /* not JSON: the status says enough */
            }
            reject(new Error(`the relay answered ${res.statusCode}${code ? ` ${code}` : ''}`));
          });
          return;
        }
        const hash = createHash('sha256');
        let size = 0;
        const out = fs.createWriteStream(to, { mode: 0o644 });
        const stop = (error: Error) => {
          res.destroy();
          out.destroy();
          reject(error);
        };
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) return stop(new Error(`the relay sent more than the offered ${maxBytes} bytes`));
          hash.update(chunk);
          if (!out.write(chunk)) {
            res.pause();
            out.once('drain', () => res.resume());
          }
        });
        res.on('error', stop);
        res.on('close', () => {
          if (!res.complete) stop(new Error('the relay closed the download early'));
        });
        out.on('error', stop);
        res.on('end', () => {
          out.end(() => {
            // fsync before the rename: a power cut must not leave a request pointing at half a file.
            try {
              const fd = fs.openSync(to, 'r');
              fs.fsyncSync(fd);
              fs.closeSync(fd);
            } catch (error) {
              return reject(error as Error);
            }
            resolve({ size, sha256: hash.digest('hex') });
          });
        });
      });
      req.on('timeout', () => req.destroy(new Error(`no data from ${url.origin} for ${Math.round((this.#o.stallTimeoutMs ?? 60_000) / 1000)} s`)));
      req.on('error', reject);
    });
  }
}
