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
}

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
    this.uploading = this.#upload(callId, clip).catch((err: unknown) => this.#log.warn({ err, callId }, 'pre-press clip not uploaded'));
  }

  async #upload(callId: string, clip: PrePressClip): Promise<void> {
    const encoded = await (this.#o.encode ?? ((c: PrePressClip) => encodeClip(c, this.#o.tmpDir ? { tmpDir: this.#o.tmpDir } : {})))(clip);
    // The frames are encoded: let them go before the upload (they are ~14 MB at 640×480).
    clip.frames.length = 0;
    clip.pcm.length = 0;
    const t0 = Date.now();
    const beforeMs = Math.round(clip.beforeMs);
    const grant = await this.#o.signal.request('call.prePressGrant', { callId, beforeMs });
    if (encoded.webm.length > grant.maxBytes) throw new Error(`the clip is ${encoded.webm.length} bytes, over the relay's ${grant.maxBytes}`);
    const saved = await postBody<{ mediaId: number }>(`${this.#httpOrigin()}${grant.url}`, encoded.webm, 'video/webm', { ca: this.#o.ca, timeoutMs: 60_000 });
    this.#log.info(
      { callId, mediaId: saved.mediaId, bytes: encoded.webm.length, beforeMs, durationMs: encoded.durationMs, encodeMs: encoded.encodeMs, uploadMs: Date.now() - t0 },
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
