import type { Logger } from 'pino';
import type { TerminalSender } from '@helppoint/shared';
import type { CallState } from '../call/CallMachine.ts';
import { postBody } from '../net/relayHttp.ts';
import type { PrePressBuffer, PrePressClip } from './PrePressBuffer.ts';
import { encodeClip, type EncodedClip } from './encodeClip.ts';

interface Press {
  callId: string | null;
  clip: PrePressClip | null;
  /** The clip is complete (or was dropped). */
  settled: boolean;
  /** Ends the collection if the camera stops delivering (the clip is then shorter). */
  timer: ReturnType<typeof setTimeout>;
}

export interface PrePressEvidenceOptions {
  buffer: PrePressBuffer;
  controller: { on(event: 'state', fn: (state: CallState) => void): unknown };
  signal: Pick<TerminalSender, 'request'>;
  /** ws(s)://…/ws/terminal: the upload goes to the same host over http(s). */
  relayUrl: string;
  ca?: Buffer | undefined;
  tmpDir?: string;
  logger: Logger;
  encode?: (clip: PrePressClip) => Promise<EncodedClip>;
  /** The call's uplink estimate now (bits/s, from the relay's congestion control), or null when unknown. */
  uplinkBps?: () => number | null;
  /** Waits before each new try after a failed upload (the relay unreachable, a dropped link); tests shorten them. */
  retryDelaysMs?: readonly number[];
}

/** A lost link in the street is usually back within minutes: try again then, while the clip is in memory. */
const RETRY_DELAYS_MS = [5_000, 30_000, 120_000, 600_000];
/**
 * During the call the upload shares the uplink with the call's own video (1 Mbit/s on a poor LTE
 * link): a quarter of the call's uplink estimate, at least about 200 kbit/s, and faster if that would
 * not finish in 20 s (the relay gives a terminal's upload 30 s). Once the call is over it goes at
 * full speed.
 */
const IN_CALL_PACE_BYTES_PER_S = 24 * 1024;
const IN_CALL_UPLINK_SHARE = 0.25;
const IN_CALL_UPLOAD_S = 20;
/** The relay's answers that another try cannot change. */
const FINAL_CODES = new Set(['call_not_found', 'not_your_call', 'prepress_too_large', 'prepress_not_webm']);

/**
 * Turns a press into the pre-press evidence clip (issue 15): the buffer is
 * frozen at the press, the first seconds of the call are added, and once the
 * relay has given the press a call the clip is encoded (off the call's path)
 * and uploaded with a signed link from call.prePressGrant. A press that
 * never becomes a call (offline, cancelled at once) leaves nothing behind.
 */
export class PrePressEvidence {
  readonly #o: PrePressEvidenceOptions;
  readonly #log: Logger;
  #last: CallState['name'] = 'idle';
  #press: Press | null = null;
  #closed = false;
  /** The upload under way (tests and shutdown wait for it). */
  uploading: Promise<void> = Promise.resolve();

  constructor(opts: PrePressEvidenceOptions) {
    this.#o = opts;
    this.#log = opts.logger.child({ component: 'prepress' });
    opts.controller.on('state', (state) => this.#onState(state));
  }

  #onState(state: CallState): void {
    const before = this.#last;
    this.#last = state.name;
    if (this.#closed) return;
    if (state.name === 'requesting' && (before === 'idle' || before === 'lookin') && !this.#press) this.#pressed();
    const press = this.#press;
    if (!press) return;
    if (state.callId && !press.callId) {
      press.callId = state.callId;
      this.#ready(press);
    }
    if (state.name === 'idle' && !press.settled) {
      // A call ended within the clip's seconds keeps what came; a press that never got a call keeps nothing.
      if (press.callId) this.#o.buffer.finishNow();
      else this.#o.buffer.cancel();
    } else if (state.name === 'idle' && !press.callId) {
      this.#drop(press, 'no call came of the press');
    }
  }

  #pressed(): void {
    const buffer = this.#o.buffer;
    const timer = setTimeout(() => buffer.finishNow(), (buffer.seconds + 2) * 1000);
    timer.unref?.();
    const press: Press = { callId: null, clip: null, settled: false, timer };
    this.#press = press;
    void buffer.press().then((clip) => {
      clearTimeout(timer);
      press.settled = true;
      press.clip = clip;
      if (!clip) return this.#drop(press, 'nothing to keep');
      this.#ready(press);
    });
  }

  #drop(press: Press, why: string): void {
    clearTimeout(press.timer);
    press.clip = null;
    if (this.#press === press) this.#press = null;
    this.#log.debug({ why }, 'no pre-press clip for this press');
  }

  /** Both the clip and the call are there: encode and upload, once. */
  #ready(press: Press): void {
    const { clip, callId } = press;
    if (!clip || !callId || this.#closed) return;
    press.clip = null;
    if (this.#press === press) this.#press = null;
    this.uploading = this.#encodeAndUpload(callId, clip).catch((err: unknown) => this.#log.warn({ err, callId }, 'pre-press clip not uploaded'));
  }

  async #encodeAndUpload(callId: string, clip: PrePressClip): Promise<void> {
    const encoded = await (this.#o.encode ?? ((c: PrePressClip) => encodeClip(c, this.#o.tmpDir ? { tmpDir: this.#o.tmpDir } : {})))(clip);
    // The frames are encoded: let them go before the upload (they are ~14 MB at 640×480).
    clip.frames.length = 0;
    clip.pcm.length = 0;
    const beforeMs = Math.round(clip.beforeMs);
    const delays = this.#o.retryDelaysMs ?? RETRY_DELAYS_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#upload(callId, encoded, beforeMs, attempt);
      } catch (error) {
        const code = (error as { code?: string }).code;
        // Stored already: an earlier try got through but its answer was lost.
        if (code === 'prepress_exists') return this.#log.info({ callId, attempt }, 'pre-press clip was already stored');
        const wait = delays[attempt];
        if (this.#closed || (code && FINAL_CODES.has(code)) || wait === undefined) throw error;
        this.#log.warn({ callId, attempt, code, reason: (error as Error).message, retryInMs: wait }, 'pre-press clip upload failed; trying again');
        await new Promise((r) => setTimeout(r, wait).unref?.());
        if (this.#closed) throw error;
      }
    }
  }

  /** One try: a fresh single-use link, then the POST (paced while the call is on). */
  async #upload(callId: string, encoded: EncodedClip, beforeMs: number, attempt: number): Promise<void> {
    const t0 = Date.now();
    const grant = await this.#o.signal.request('call.prePressGrant', { callId, beforeMs });
    const bytes = encoded.webm.length;
    if (bytes > grant.maxBytes) throw Object.assign(new Error(`the clip is ${bytes} bytes, over the relay's ${grant.maxBytes}`), { code: 'prepress_too_large' });
    const inCall = this.#last !== 'idle';
    const uplink = this.#o.uplinkBps?.() ?? null;
    const pace = inCall ? Math.max(IN_CALL_PACE_BYTES_PER_S, Math.ceil(bytes / IN_CALL_UPLOAD_S), uplink ? Math.floor((uplink / 8) * IN_CALL_UPLINK_SHARE) : 0) : undefined;
    const saved = await postBody<{ mediaId: number }>(`${this.#httpOrigin()}${grant.url}`, encoded.webm, 'video/webm', {
      ca: this.#o.ca,
      timeoutMs: 60_000,
      ...(pace ? { paceBytesPerSecond: pace } : {}),
    });
    this.#log.info(
      { callId, mediaId: saved.mediaId, bytes, beforeMs, durationMs: encoded.durationMs, encodeMs: encoded.encodeMs, uploadMs: Date.now() - t0, paceBytesPerSecond: pace ?? null, attempt },
      'pre-press clip uploaded',
    );
  }

  #httpOrigin(): string {
    const u = new URL(this.#o.relayUrl);
    u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
    return u.origin;
  }

  close(): void {
    this.#closed = true;
    if (this.#press) clearTimeout(this.#press.timer);
    this.#press = null;
    this.#o.buffer.stop();
  }
}
