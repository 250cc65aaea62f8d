import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { AppError, ErrorCode, PRE_PRESS_MAX_BYTES } from '@helppoint/shared';
import type { AuditRepo } from '../db/AuditRepo.ts';
import type { CallMediaRecord, CallMediaRepo } from '../db/CallMediaRepo.ts';
import { actorOf, type CallRepo } from '../db/CallRepo.ts';
import type { ProcessLauncher } from '../sfu/launcher/ProcessLauncher.ts';
import { checkUploadToken, uploadPath } from './prePressToken.ts';

/** The EBML header every WebM (Matroska) file starts with. */
const EBML_MAGIC = Buffer.from([0x1a, 0x45, 0xdf, 0xa3]);
/** How the history tells the clip from the call's own recording segments (no migration: the kind stays 'recording'). */
export const PRE_PRESS_SUFFIX = '-prepress.webm';

export const isPrePressClip = (m: Pick<CallMediaRecord, 'file'>): boolean => m.file.endsWith(PRE_PRESS_SUFFIX);

/** What the upload route hands over from the link's query. */
export interface UploadQuery {
  callId: string;
  terminal: string;
  before: number;
  exp: number;
  token: string;
}

export interface PrePressClipsOptions {
  calls: CallRepo;
  media: CallMediaRepo;
  audit: AuditRepo;
  mediaDir: string;
  secret: string;
  logger: Logger;
  /** How long an upload link is valid (default 60 s: the kiosk uploads right after encoding). */
  ttlMs?: number;
  maxBytes?: number;
  ffprobePath?: string;
  /** Runs ffprobe without forking the relay (default: the relay runs it itself). */
  launcher?: ProcessLauncher;
  /** Throws disk_full when the media disk is nearly full (DiskGuard). */
  assertRoom?: () => void;
  now?: () => number;
}

/**
 * The terminal's evidence of the seconds around the press (issue 15): its
 * warm camera kept the last few seconds in memory, and after a press it
 * uploads them with the first seconds of the call as one WebM clip, because
 * the relay's own recording only starts once ffmpeg runs (0.7–2 s later).
 * One clip per call, listed before the call's recording (createdAt = the
 * call's press minus the seconds from before it).
 */
export class PrePressClips {
  readonly #o: PrePressClipsOptions;
  readonly #log: Logger;
  readonly #now: () => number;
  /** Calls whose clip is being received: a second upload meanwhile is refused like one after it. */
  readonly #receiving = new Set<string>();

  constructor(opts: PrePressClipsOptions) {
    this.#o = opts;
    this.#now = opts.now ?? Date.now;
    this.#log = opts.logger.child({ component: 'prepress' });
  }

  get maxBytes(): number {
    return this.#o.maxBytes ?? PRE_PRESS_MAX_BYTES;
  }

  /** call.prePressGrant: a signed link for this terminal's own call, if the call has no clip yet. */
  grant(terminalId: string, callId: string, beforeMs: number): { url: string; maxBytes: number } {
    const call = this.#o.calls.get(callId);
    if (!call) throw new AppError(ErrorCode.CallNotFound, `no call ${callId}`);
    if (call.terminalId !== terminalId) throw new AppError(ErrorCode.NotYourCall, 'that call belongs to another terminal');
    this.#assertNoClip(callId);
    const expiresAt = this.#now() + (this.#o.ttlMs ?? 60_000);
    return { url: uploadPath(this.#o.secret, { terminalId, callId, beforeMs, expiresAt }), maxBytes: this.maxBytes };
  }

  #assertNoClip(callId: string): void {
    if (this.#receiving.has(callId) || this.#o.media.forCall(callId).some(isPrePressClip)) {
      throw new AppError(ErrorCode.PrePressExists, 'this call already has its pre-press clip');
    }
  }

  /** POST /api/calls/:id/prepress: checks the link, streams at most maxBytes to disk, checks it is WebM, lists it with the call. */
  async store(q: UploadQuery, body: Readable, declaredLength: number | null, remote: string | undefined): Promise<CallMediaRecord> {
    const actor = actorOf.terminal(q.terminal || 'unknown');
    const refuse = (error: unknown, detail: Record<string, unknown> = {}): never => {
      body.resume();
      const code = error instanceof AppError ? error.code : ErrorCode.Internal;
      this.#o.audit.write({ actor, action: 'call.prepress', target: q.callId, outcome: 'refused', detail: { code, ...detail }, remote });
      throw error;
    };
    let call;
    try {
      checkUploadToken(this.#o.secret, { terminalId: q.terminal, callId: q.callId, beforeMs: q.before, expiresAt: q.exp }, q.token, this.#now());
      call = this.#o.calls.get(q.callId);
      if (!call) throw new AppError(ErrorCode.CallNotFound, `no call ${q.callId}`);
      if (call.terminalId !== q.terminal) throw new AppError(ErrorCode.NotYourCall, 'that call belongs to another terminal');
      this.#assertNoClip(q.callId);
      if (declaredLength !== null && declaredLength > this.maxBytes) {
        throw new AppError(ErrorCode.PrePressTooLarge, `a pre-press clip may be at most ${this.maxBytes} bytes; this one is ${declaredLength}`);
      }
      this.#o.assertRoom?.();
    } catch (error) {
      return refuse(error, declaredLength === null ? {} : { declaredLength });
    }
    this.#receiving.add(q.callId);
    const rel = path.posix.join('recordings', new Date(call.createdAt).toISOString().slice(0, 10), `${call.id}${PRE_PRESS_SUFFIX}`);
    const file = path.join(this.#o.mediaDir, rel);
    const part = `${file}.part`;
    let bytes = 0;
    try {
      try {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        bytes = await this.#receive(body, part);
        await this.#checkWebm(part);
      } catch (error) {
        fs.rmSync(part, { force: true });
        return refuse(error, { bytes });
      }
      fs.renameSync(part, file);
      const at = this.#now();
      const row = this.#o.media.add({ callId: call.id, kind: 'recording', file: rel, mime: 'video/webm', bytes, createdAt: call.createdAt - q.before, finishedAt: at, takenBy: null });
      this.#o.calls.addEvent(call.id, 'prepress', actor, { mediaId: row.id, beforeMs: q.before, bytes }, at);
      this.#o.audit.write({ actor, action: 'call.prepress', target: call.id, detail: { mediaId: row.id, bytes, beforeMs: q.before }, remote });
      this.#log.info({ callId: call.id, terminalId: q.terminal, mediaId: row.id, bytes, beforeMs: q.before }, 'pre-press clip kept');
      return row;
    } finally {
      this.#receiving.delete(q.callId);
    }
  }

  /**
   * Streams the body to `to`, stopping the moment it passes maxBytes or its
   * first bytes are not the EBML magic. Not stream.pipeline: that would
   * destroy the request, and the terminal would see a reset instead of the
   * refusal's code; the rest of the body is drained instead (refuse()).
   */
  async #receive(body: Readable, to: string): Promise<number> {
    const max = this.maxBytes;
    const out = fs.createWriteStream(to, { mode: 0o640 });
    let size = 0;
    let head = Buffer.alloc(0);
    let stopped = false;
    try {
      await new Promise<void>((resolve, reject) => {
        const stop = (error: Error) => {
          stopped = true;
          reject(error);
        };
        body.on('data', (chunk: Buffer) => {
          if (stopped) return;
          size += chunk.length;
          if (size > max) return stop(new AppError(ErrorCode.PrePressTooLarge, `a pre-press clip may be at most ${max} bytes`));
          if (head.length < EBML_MAGIC.length) {
            head = Buffer.concat([head, chunk]).subarray(0, EBML_MAGIC.length);
            if (head.length === EBML_MAGIC.length && !head.equals(EBML_MAGIC)) return stop(new AppError(ErrorCode.PrePressNotWebm, 'the clip is not WebM (no EBML header)'));
          }
          if (!out.write(chunk)) {
            body.pause();
            out.once('drain', () => body.resume());
          }
        });
        body.once('end', () => (head.length < EBML_MAGIC.length ? stop(new AppError(ErrorCode.PrePressNotWebm, 'the clip is empty or too short to be WebM')) : resolve()));
        body.once('error', stop);
        out.once('error', stop);
      });
    } finally {
      await new Promise<void>((resolve) => out.end(() => resolve()));
    }
    return size;
  }

  /** ffprobe must find a video stream: a file that only starts like WebM is not evidence anyone can play. */
  #checkWebm(file: string): Promise<void> {
    const ffprobe = this.#o.ffprobePath ?? 'ffprobe';
    const args = ['-v', 'error', '-select_streams', 'v', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', file];
    const notWebm = () => new AppError(ErrorCode.PrePressNotWebm, 'the clip has no readable video stream');
    const launcher = this.#o.launcher;
    if (launcher) {
      return launcher.execFile(ffprobe, args, { timeoutMs: 10_000 }).then(
        (r) => {
          if (r.code !== 0 || !r.stdout.trim()) throw notWebm();
        },
        () => {
          throw notWebm();
        },
      );
    }
    return new Promise((resolve, reject) => {
      execFile(ffprobe, args, { timeout: 10_000 }, (error, stdout) => {
        if (error || !stdout.trim()) return reject(notWebm());
        resolve();
      });
    });
  }
}
