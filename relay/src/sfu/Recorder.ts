import fs from 'node:fs';
import path from 'node:path';
import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import { freeUdpPortPair } from './freeUdpPorts.ts';
import type { ChildLike } from './launcher/LaunchedProcess.ts';
import { freshRecorderProcess, type RecorderProcess } from './RecorderFfmpeg.ts';
import { waitForUdpListeners } from './udpListening.ts';

export interface RecorderOptions {
  router: types.Router;
  /** The producers to record, each as its own stream of the file. */
  producers: { id: string; kind: 'audio' | 'video' }[];
  /** Output file (.webm: VP8 and opus are copied, not re-encoded). */
  file: string;
  logger: Logger;
  ffmpegPath?: string;
  /** Where the recording's ffmpeg comes from (default: started now; FfmpegSpare: one started ahead). */
  launch?: (file: string) => RecorderProcess;
  /**
   * Resolves when the consumers may be resumed (once ffmpeg listens). Resuming a video consumer asks the
   * camera for a keyframe, and the producer then holds back any other request for 360 ms (keyFrames.ts):
   * a recorder that asks first would make the officer's console wait that long for its picture.
   */
  resumeWhen?: Promise<unknown>;
}

interface Leg {
  kind: 'audio' | 'video';
  transport: types.PlainTransport;
  consumer: types.Consumer;
  port: number;
}

const KEYFRAME_RETRIES_MS = [1_000, 2_500, 5_000];
const STOP_TIMEOUT_MS = 10_000;

/**
 * Records producers of a call into one file: each producer is consumed on its
 * own mediasoup PlainTransport that sends plain RTP to 127.0.0.1, where ffmpeg
 * (reading an SDP that describes those ports) copies the streams into WebM.
 * Consumers start paused and resume once ffmpeg listens (and, when asked,
 * once a console has resumed its own: resumeWhen), with a keyframe request
 * so the video starts decodable.
 */
export class Recorder {
  readonly file: string;
  /** When media started flowing into ffmpeg (the file's time zero). */
  startedAt = Date.now();
  /** When stop() was called: where the file's media ends. */
  stoppedAt: number | null = null;
  readonly #legs: Leg[];
  readonly #ffmpeg: ChildLike;
  readonly #process: RecorderProcess;
  readonly #log: Logger;
  readonly #exited: Promise<number | null>;
  readonly #stderr: string[] = [];
  #stopping: Promise<void> | null = null;
  readonly #timers: ReturnType<typeof setTimeout>[] = [];

  private constructor(file: string, legs: Leg[], proc: RecorderProcess, log: Logger) {
    const ffmpeg = proc.child;
    this.file = file;
    this.#legs = legs;
    this.#process = proc;
    this.#ffmpeg = ffmpeg;
    this.#log = log;
    this.#exited = new Promise((resolve) => ffmpeg.once('exit', (code) => resolve(code)));
    ffmpeg.stderr?.setEncoding('utf8');
    ffmpeg.stderr?.on('data', (chunk: string) => {
      this.#stderr.push(chunk);
      if (this.#stderr.length > 20) this.#stderr.shift();
    });
    void this.#exited.then((code) => {
      if (!this.#stopping) log.error({ code, stderr: this.#stderr.join('').slice(-800) }, 'recorder ffmpeg exited on its own');
    });
  }

  static async start(opts: RecorderOptions): Promise<Recorder> {
    const log = opts.logger.child({ component: 'recorder', file: path.basename(opts.file) });
    fs.mkdirSync(path.dirname(opts.file), { recursive: true });
    const legs: Leg[] = [];
    try {
      // Video first: players expect it as the first stream.
      const ordered = [...opts.producers].sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'video' ? -1 : 1));
      for (const p of ordered) {
        const transport = await opts.router.createPlainTransport({
          listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
          rtcpMux: false,
          comedia: false,
          appData: { recorder: true },
        });
        try {
          const port = await freeUdpPortPair();
          await transport.connect({ ip: '127.0.0.1', port, rtcpPort: port + 1 });
          const consumer = await transport.consume({ producerId: p.id, rtpCapabilities: opts.router.rtpCapabilities, paused: true });
          legs.push({ kind: p.kind, transport, consumer, port });
        } catch (error) {
          transport.close();
          throw error;
        }
      }
      const sdp = sdpFor(legs);
      const proc = (opts.launch ?? freshRecorderProcess(opts.ffmpegPath))(opts.file);
      const rec = new Recorder(opts.file, legs, proc, log);
      try {
        proc.begin(sdp, opts.file);
        await rec.#startFlow(opts.resumeWhen);
      } catch (error) {
        // Nothing of a failed start stays behind: no ffmpeg, no half-written file.
        await rec.stop();
        fs.rmSync(opts.file, { force: true });
        throw error;
      }
      log.info({ streams: legs.map((l) => l.kind), ports: legs.map((l) => l.port) }, 'recording started');
      return rec;
    } catch (error) {
      for (const leg of legs) leg.transport.close();
      throw error;
    }
  }

  async #startFlow(resumeWhen?: Promise<unknown>): Promise<void> {
    // ffmpeg binds its RTP ports while it parses the SDP. Media sent before
    // that is lost from the start of the file, and on a busy machine ffmpeg
    // can take well over a second to get there: wait until the kernel shows
    // every port bound (a fixed pause where its tables cannot be read).
    const listening = await waitForUdpListeners(this.#legs.map((l) => l.port), { timeoutMs: 10_000, gaveUp: this.#exited });
    const spawned =
      listening ??
      (await Promise.race([new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 700)), this.#exited.then(() => false)]));
    if (!spawned) throw new Error(`ffmpeg exited or never listened at start: ${this.#stderr.join('').slice(-400)}`);
    if (resumeWhen) await resumeWhen;
    for (const leg of this.#legs) await leg.consumer.resume();
    this.startedAt = Date.now();
    // Resuming asked for the first keyframe (mediasoup does, spaced by the
    // producer's keyFrameRequestDelay: keyFrames.ts). A lost keyframe would
    // leave ffmpeg unable to start the file: ask again a few times while it
    // probes (a keyframe costs a little bandwidth, once).
    const video = this.#legs.filter((l) => l.kind === 'video').map((l) => l.consumer);
    const ask = () => {
      for (const c of video) if (!c.closed) c.requestKeyFrame().catch(() => undefined);
    };
    for (const ms of KEYFRAME_RETRIES_MS) {
      const t = setTimeout(ask, ms);
      t.unref?.();
      this.#timers.push(t);
    }
  }

  get streams(): ('audio' | 'video')[] {
    return this.#legs.map((l) => l.kind);
  }

  /** Stops the media, lets ffmpeg finish the file; safe to call twice. Resolves with the file size. */
  async stop(): Promise<number> {
    this.#stopping ??= (async () => {
      this.stoppedAt = Date.now();
      for (const t of this.#timers) clearTimeout(t);
      // Media stops first: a SIGINT that lands while packets still flow and
      // ffmpeg is still probing its streams (the first ~2 s) aborts it with a
      // broken file; with the input idle it finishes the file cleanly.
      for (const leg of this.#legs) leg.transport.close();
      // SIGINT asks ffmpeg to finish; it acts on it at its next read, which
      // returns when a packet comes or the idle timeout passes. SIGKILL is the
      // last resort and leaves a file without its index.
      if (this.#ffmpeg.exitCode === null && this.#ffmpeg.signalCode === null) {
        this.#ffmpeg.kill('SIGINT');
        const kill = setTimeout(() => {
          this.#log.error({ stderr: this.#stderr.join('').slice(-400) }, 'ffmpeg did not finish the recording: killing it');
          this.#ffmpeg.kill('SIGKILL');
        }, STOP_TIMEOUT_MS);
        await this.#exited;
        clearTimeout(kill);
      }
      for (const leg of this.#legs) leg.transport.close();
      this.#process.cleanup();
    })();
    await this.#stopping;
    const bytes = fs.existsSync(this.file) ? fs.statSync(this.file).size : 0;
    this.#log.info({ bytes, ms: Date.now() - this.startedAt }, 'recording stopped');
    return bytes;
  }
}

/** The SDP ffmpeg reads: one m= line per consumer, with the payload type mediasoup chose. */
function sdpFor(legs: Leg[]): string {
  const lines = ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=HelpPoint call recording', 'c=IN IP4 127.0.0.1', 't=0 0'];
  for (const leg of legs) {
    const codec = leg.consumer.rtpParameters.codecs[0];
    if (!codec) throw new Error(`consumer ${leg.consumer.id} has no codec`);
    const name = codec.mimeType.split('/')[1];
    const channels = codec.channels && codec.channels > 1 ? `/${codec.channels}` : '';
    lines.push(`m=${leg.kind} ${leg.port} RTP/AVP ${codec.payloadType}`);
    lines.push(`a=rtpmap:${codec.payloadType} ${name}/${codec.clockRate}${channels}`);
    if (leg.kind === 'audio') lines.push(`a=fmtp:${codec.payloadType} minptime=10;useinbandfec=1`);
    lines.push('a=sendonly');
  }
  return lines.join('\r\n') + '\r\n';
}
