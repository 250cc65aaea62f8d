import type { Logger } from 'pino';
import type { types as msc } from 'mediasoup-client';
import { encodingFor, nextRung, VIDEO_LADDER, type LadderState } from './videoLadder.ts';
import { initialProbe, PROBE_CAP_BPS, probeSettled, probeStarted, shouldProbe, type ProbeState } from './linkProbe.ts';
import { setVideoEncoding } from './senderEncoding.ts';

const TICK_MS = 1_000;
const FAST_TICK_MS = 250;
const FAST_FOR_MS = 3_000;

export interface LinkAdapterStats {
  /** libwebrtc's estimate of the uplink from the relay's transport-cc feedback (bit/s), null before the first. */
  estimateBps: number | null;
  videoRung: string;
  maxBitrate: number | null;
  rungChanges: number;
  /** Probes asked for (the cap lifted for a tick) and how many of them raised the estimate. */
  probes: number;
  probesWorked: number;
}

/**
 * Follows the uplink during a call: at the start, then every 250 ms for 3 s,
 * then once a second, it reads the send transport's available outgoing
 * bitrate and sets the video encoder's bitrate, resolution and frame rate
 * (RTCRtpSender.setParameters, see senderEncoding.ts) by the ladder in
 * videoLadder.ts. Audio keeps its reserve; video gives way, in size and
 * frame rate only while packets are lost. A low estimate without loss is
 * probed (linkProbe.ts).
 */
export class LinkAdapter {
  readonly #transport: msc.Transport;
  readonly #video: msc.Producer;
  readonly #cameraFps: number;
  readonly #log: Logger;
  #timer: ReturnType<typeof setTimeout> | null = null;
  readonly #startedAt = Date.now();
  #state: LadderState = { rung: 0, upSince: null };
  #applied: { rung: number; maxBitrate: number } | null = null;
  #probe: ProbeState = initialProbe();
  #stats: LinkAdapterStats = { estimateBps: null, videoRung: VIDEO_LADDER[0]!.name, maxBitrate: null, rungChanges: 0, probes: 0, probesWorked: 0 };
  #busy = false;
  #closed = false;
  #warned = false;

  constructor(opts: { transport: msc.Transport; video: msc.Producer; cameraFps: number; logger: Logger }) {
    this.#transport = opts.transport;
    this.#video = opts.video;
    this.#cameraFps = opts.cameraFps;
    this.#log = opts.logger;
    // At once: the first tick sets the encoder before the first keyframe has gone far.
    void this.#run();
  }

  get stats(): LinkAdapterStats {
    return { ...this.#stats };
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
  }

  /**
   * Every TICK_MS, but every FAST_TICK_MS in a call's first FAST_FOR_MS: the
   * estimate falls, if it does, a fraction of a second after the press, while
   * the first keyframe is still being paced out at 2.5× the estimate.
   */
  async #run(): Promise<void> {
    await this.#tick();
    if (this.#closed) return;
    const delay = Date.now() - this.#startedAt < FAST_FOR_MS ? FAST_TICK_MS : TICK_MS;
    this.#timer = setTimeout(() => void this.#run(), delay);
    this.#timer.unref?.();
  }

  async #tick(): Promise<void> {
    if (this.#busy || this.#closed || this.#transport.closed || this.#video.closed) return;
    this.#busy = true;
    try {
      const report = await this.#transport.getStats();
      const estimate = availableOutgoingBitrate(report);
      if (estimate === null || this.#closed) return;
      const now = Date.now();
      this.#stats.estimateBps = estimate;
      // A probe in flight keeps its lifted cap until it shows in the estimate or runs out of time.
      if (this.#probe.pendingFromBps !== null && !this.#settleProbe(estimate, now)) return;
      const lost = videoFractionLost(report);
      const next = nextRung(this.#state, estimate, now, lost);
      const current = VIDEO_LADDER[this.#state.rung]!;
      if (shouldProbe(this.#probe, estimate, lost, now)) {
        // The cap goes up, the picture stays as it is; the next tick sets both by what the probe found.
        await setVideoEncoding(this.#video, { maxBitrate: PROBE_CAP_BPS, scaleResolutionDownBy: current.scaleResolutionDownBy, maxFramerate: Math.min(this.#cameraFps, current.maxFramerate) });
        this.#probe = probeStarted(this.#probe, estimate, now);
        this.#stats.probes += 1;
        this.#applied = null;
        this.#log.debug({ estimateBps: estimate, rung: current.name }, 'probing the uplink');
        return;
      }
      this.#state = next;
      const target = encodingFor(next.rung, estimate, this.#cameraFps);
      const prev = this.#applied;
      // Small bitrate wobbles are left to the encoder's own rate control.
      if (prev && prev.rung === next.rung && Math.abs(prev.maxBitrate - target.maxBitrate) < prev.maxBitrate * 0.15) return;
      await setVideoEncoding(this.#video, { maxBitrate: target.maxBitrate, scaleResolutionDownBy: target.scaleResolutionDownBy, maxFramerate: target.maxFramerate });
      if (this.#stats.maxBitrate === null || this.#stats.videoRung !== target.rung.name) {
        this.#stats.rungChanges += this.#stats.maxBitrate === null ? 0 : 1;
        this.#log.info({ rung: target.rung.name, estimateBps: estimate, maxBitrate: target.maxBitrate, scale: target.scaleResolutionDownBy, fps: target.maxFramerate }, 'video adapted to the link');
      }
      this.#applied = { rung: next.rung, maxBitrate: target.maxBitrate };
      this.#stats.videoRung = target.rung.name;
      this.#stats.maxBitrate = target.maxBitrate;
    } catch (err) {
      // Once a call at warn: when this only logged at debug, a ladder that never applied anything went unseen.
      this.#log[this.#warned ? 'debug' : 'warn']({ err }, 'could not adapt video to the link');
      this.#warned = true;
    } finally {
      this.#busy = false;
    }
  }

  /** False while the probe in flight may still show. */
  #settleProbe(estimate: number, now: number): boolean {
    const settled = probeSettled(this.#probe, estimate, now);
    if (!settled) return false;
    const { state, worked } = settled;
    this.#log.debug({ fromBps: this.#probe.pendingFromBps, estimateBps: estimate, worked, nextInMs: state.notBefore - now }, 'uplink probe settled');
    this.#probe = state;
    if (worked) this.#stats.probesWorked += 1;
    return true;
  }
}

/** The camera's fraction lost as the relay reports it (remote-inbound-rtp), null before the first report. */
export function videoFractionLost(report: { forEach(cb: (value: unknown) => void): void }): number | null {
  let lost: number | null = null;
  report.forEach((value) => {
    const s = value as { type?: string; kind?: string; mediaType?: string; fractionLost?: number };
    if (s.type !== 'remote-inbound-rtp' || typeof s.fractionLost !== 'number') return;
    if ((s.kind ?? s.mediaType) !== 'video') return;
    lost = s.fractionLost;
  });
  return lost;
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
