import type { Logger } from 'pino';
import type { types as msc } from 'mediasoup-client';
import { encodingFor, nextRung, VIDEO_LADDER, type LadderState } from './videoLadder.ts';

export interface LinkAdapterStats {
  /** libwebrtc's estimate of the uplink from the relay's transport-cc feedback (bit/s), null before the first. */
  estimateBps: number | null;
  videoRung: string;
  maxBitrate: number | null;
  rungChanges: number;
}

/**
 * Follows the uplink during a call: once a second it reads the send
 * transport's available outgoing bitrate and sets the video encoder's
 * bitrate, resolution and frame rate (RTCRtpSender.setParameters, which
 * @roamhq/wrtc implements) by the ladder in videoLadder.ts. Audio keeps its
 * reserve; video gives way.
 */
export class LinkAdapter {
  readonly #transport: msc.Transport;
  readonly #video: msc.Producer;
  readonly #cameraFps: number;
  readonly #log: Logger;
  readonly #timer: ReturnType<typeof setInterval>;
  #state: LadderState = { rung: 0, upSince: null };
  #applied: { rung: number; maxBitrate: number } | null = null;
  #stats: LinkAdapterStats = { estimateBps: null, videoRung: VIDEO_LADDER[0]!.name, maxBitrate: null, rungChanges: 0 };
  #busy = false;
  #closed = false;

  constructor(opts: { transport: msc.Transport; video: msc.Producer; cameraFps: number; logger: Logger; intervalMs?: number }) {
    this.#transport = opts.transport;
    this.#video = opts.video;
    this.#cameraFps = opts.cameraFps;
    this.#log = opts.logger;
    this.#timer = setInterval(() => void this.#tick(), opts.intervalMs ?? 1000);
    this.#timer.unref?.();
  }

  get stats(): LinkAdapterStats {
    return { ...this.#stats };
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
  }

  async #tick(): Promise<void> {
    if (this.#busy || this.#closed || this.#transport.closed || this.#video.closed) return;
    this.#busy = true;
    try {
      const estimate = availableOutgoingBitrate(await this.#transport.getStats());
      if (estimate === null || this.#closed) return;
      this.#stats.estimateBps = estimate;
      const next = nextRung(this.#state, estimate, Date.now());
      this.#state = next;
      const target = encodingFor(next.rung, estimate, this.#cameraFps);
      const prev = this.#applied;
      // Small bitrate wobbles are left to the encoder's own rate control.
      if (prev && prev.rung === next.rung && Math.abs(prev.maxBitrate - target.maxBitrate) < prev.maxBitrate * 0.15) return;
      await this.#video.setRtpEncodingParameters({
        maxBitrate: target.maxBitrate,
        scaleResolutionDownBy: target.scaleResolutionDownBy,
        maxFramerate: target.maxFramerate,
      });
      if (!prev || prev.rung !== next.rung) {
        this.#stats.rungChanges += prev ? 1 : 0;
        this.#log.info({ rung: target.rung.name, estimateBps: estimate, maxBitrate: target.maxBitrate, scale: target.scaleResolutionDownBy, fps: target.maxFramerate }, 'video adapted to the link');
      }
      this.#applied = { rung: next.rung, maxBitrate: target.maxBitrate };
      this.#stats.videoRung = target.rung.name;
      this.#stats.maxBitrate = target.maxBitrate;
    } catch (err) {
      this.#log.debug({ err }, 'could not adapt video to the link');
    } finally {
      this.#busy = false;
    }
  }
}

/** The selected candidate pair's estimate (RTCIceCandidatePairStats.availableOutgoingBitrate). */
export function availableOutgoingBitrate(report: { forEach(cb: (value: unknown) => void): void }): number | null {
  let best: number | null = null;
  report.forEach((value) => {
    const s = value as { type?: string; state?: string; nominated?: boolean; availableOutgoingBitrate?: number };
    if (s.type !== 'candidate-pair' || typeof s.availableOutgoingBitrate !== 'number') return;
    if (s.state !== undefined && s.state !== 'succeeded') return;
    if (best === null || s.nominated) best = s.availableOutgoingBitrate;
  });
  return best;
}
