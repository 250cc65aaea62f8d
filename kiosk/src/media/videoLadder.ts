/**
 * How the terminal's picture follows its uplink (issue 15). The estimate is
 * libwebrtc's available outgoing bitrate, computed from the relay's
 * transport-cc feedback (mediasoup reports every packet's arrival), so it is
 * the relay's view of the link that drives the encoder. Audio comes first:
 * its share is taken off before video gets the rest, and video steps down
 * to fewer, smaller frames instead of smearing a full-size picture.
 */
export interface VideoRung {
  /** Name for the logs. */
  name: string;
  /** Lowest estimate (bit/s) at which this rung is used. */
  minBps: number;
  /** RTCRtpEncodingParameters.scaleResolutionDownBy: 640×480 ÷ 2 = 320×240. */
  scaleResolutionDownBy: number;
  /** RTCRtpEncodingParameters.maxFramerate (capped by the camera's own). */
  maxFramerate: number;
}

export const VIDEO_LADDER: readonly VideoRung[] = [
  { name: 'full', minBps: 700_000, scaleResolutionDownBy: 1, maxFramerate: 30 },
  { name: 'reduced', minBps: 380_000, scaleResolutionDownBy: 1.5, maxFramerate: 15 },
  { name: 'low', minBps: 200_000, scaleResolutionDownBy: 2, maxFramerate: 10 },
  { name: 'minimal', minBps: 0, scaleResolutionDownBy: 4, maxFramerate: 6 },
];

/** Kept for the microphone (opus at 32 kbit/s with FEC, plus headers). */
export const AUDIO_RESERVE_BPS = 48_000;
export const VIDEO_MAX_BPS = 900_000;
export const VIDEO_MIN_BPS = 60_000;
/** Step up only after the estimate has stayed this far above the next rung for this long. */
export const UP_MARGIN = 1.2;
export const UP_AFTER_MS = 4_000;

export interface LadderState {
  rung: number;
  /** Since when the estimate has been high enough for the rung above (null: it is not). */
  upSince: number | null;
}

export interface EncodingTarget {
  rung: VideoRung;
  maxBitrate: number;
  scaleResolutionDownBy: number;
  maxFramerate: number;
}

/** The rung an estimate calls for, ignoring hysteresis. */
export function rungFor(estimateBps: number, ladder: readonly VideoRung[] = VIDEO_LADDER): number {
  const i = ladder.findIndex((r) => estimateBps >= r.minBps);
  return i < 0 ? ladder.length - 1 : i;
}

/** Above this fraction lost (the relay's receiver reports) the link is short for real. */
export const STEP_DOWN_LOSS = 0.02;

/**
 * One step of the policy. Down at once when the estimate falls below the
 * current rung and packets are being lost (a freeze costs more than a blur).
 * Without loss the picture keeps its size and frame rate, and only the
 * bitrate follows the estimate: a lossless fall is what a busy machine makes
 * of the delay-based detector (seen on loopback in a third to a half of the
 * calls, and libwebrtc's probe does not always undo it), and stepping down on it put
 * 160×120 snapshots into the evidence. A link that is short without losing
 * anything is left to libwebrtc's own quality scaler. Up only after the
 * estimate held above the next rung with a margin for UP_AFTER_MS, and then
 * to the best rung the estimate supports with that margin. (One rung per
 * hold took 12 s from 160×120 back to 640×480.)
 */
export function nextRung(state: LadderState, estimateBps: number, now: number, fractionLost: number | null = null, ladder: readonly VideoRung[] = VIDEO_LADDER): LadderState {
  const wanted = rungFor(estimateBps, ladder);
  if (wanted > state.rung) return (fractionLost ?? 0) > STEP_DOWN_LOSS ? { rung: wanted, upSince: null } : { rung: state.rung, upSince: null };
  if (state.rung === 0) return { rung: 0, upSince: null };
  const above = ladder[state.rung - 1]!;
  if (estimateBps < above.minBps * UP_MARGIN) return { rung: state.rung, upSince: null };
  const since = state.upSince ?? now;
  if (now - since >= UP_AFTER_MS) return { rung: Math.min(state.rung - 1, rungFor(estimateBps / UP_MARGIN, ladder)), upSince: null };
  return { rung: state.rung, upSince: since };
}

/** The encoder settings for a rung and an estimate (the camera's frame rate caps the rung's). */
export function encodingFor(rungIndex: number, estimateBps: number, cameraFps: number, ladder: readonly VideoRung[] = VIDEO_LADDER): EncodingTarget {
  const rung = ladder[rungIndex] ?? ladder[ladder.length - 1]!;
  const budget = Math.round((estimateBps - AUDIO_RESERVE_BPS) * 0.9);
  return {
    rung,
    maxBitrate: Math.max(VIDEO_MIN_BPS, Math.min(VIDEO_MAX_BPS, budget)),
    scaleResolutionDownBy: rung.scaleResolutionDownBy,
    maxFramerate: Math.min(cameraFps, rung.maxFramerate),
  };
}
