/**
 * When the terminal asks libwebrtc to probe its uplink (issue 15).
 *
 * The send-side estimate can fall in one step, with no loss at all, from
 * 1.5–3 Mbit/s to 75–120 kbit/s a fraction of a second into a call (seen in
 * about half the calls on loopback; probably the press's burst of work on a
 * busy machine, which the delay-based detector reads as a queue). From there
 * it climbs only ~8 % a second, because the estimate may not run far ahead of
 * what is actually sent, and a capped, scaled-down picture sends little.
 * libwebrtc probes the link (short padded bursts) when the encoder's allowed
 * bitrate rises, so lifting the cap for one tick lets a good link prove
 * itself (measured: back to 3 Mbit/s within 250 ms), and the encoder's
 * bitrate is not held down by a false estimate. The lifted cap is above any the ladder sets: a cap already
 * at the ladder's top would not rise, and nothing would be probed (seen:
 * every such "probe" failed, and the picture fell to the lowest rung). A link
 * that is really short fails the probe, and the next probe waits twice as
 * long, up to PROBE_MAX_BACKOFF_MS.
 */
import { STEP_DOWN_LOSS, VIDEO_MAX_BPS } from './videoLadder.ts';

/**
 * Probe only below this estimate, under the "reduced" rung: the collapse
 * lands at 75–120 kbit/s. A real 1 Mbit/s uplink (bench-link's LTE poor) sits
 * at 400–900 kbit/s; probing there whenever it was below the full picture's
 * rung pushed bursts into its queue every 2–3 s, and the estimate finds its
 * own way up from there because the encoder is capped just under it.
 */
export const PROBE_BELOW_BPS = 300_000;
/** The cap during a probe tick: above VIDEO_MAX_BPS, so that it is always a rise. */
export const PROBE_CAP_BPS = 2 * VIDEO_MAX_BPS;
/** How long a probe may take to show in the estimate before it counts as failed. */
export const PROBE_SETTLE_MS = 700;
export const PROBE_FIRST_BACKOFF_MS = 2_000;
export const PROBE_MAX_BACKOFF_MS = 60_000;
/** A probe worked when the estimate rose this much (or reached PROBE_BELOW_BPS). */
export const PROBE_GAIN = 1.5;

export interface ProbeState {
  /** The estimate when the probe in flight was asked for (null: none in flight). */
  pendingFromBps: number | null;
  /** When the probe in flight counts as failed if the estimate has not risen by then. */
  settleBy: number;
  /** No new probe before this time (epoch ms). */
  notBefore: number;
  backoffMs: number;
}

export const initialProbe = (): ProbeState => ({ pendingFromBps: null, settleBy: 0, notBefore: 0, backoffMs: PROBE_FIRST_BACKOFF_MS });

/**
 * Whether to probe now, given the estimate and the video's fraction lost (null: not reported yet).
 * Not while losing more than STEP_DOWN_LOSS: that loss says the link really is short.
 */
export function shouldProbe(state: ProbeState, estimateBps: number, fractionLost: number | null, now: number): boolean {
  return state.pendingFromBps === null && now >= state.notBefore && estimateBps < PROBE_BELOW_BPS && (fractionLost ?? 0) <= STEP_DOWN_LOSS;
}

export function probeStarted(state: ProbeState, estimateBps: number, now: number): ProbeState {
  return { ...state, pendingFromBps: estimateBps, settleBy: now + PROBE_SETTLE_MS };
}

/**
 * A tick while a probe is in flight: null while it may still show; then
 * success resets the back-off and failure doubles it.
 */
export function probeSettled(state: ProbeState, estimateBps: number, now: number): { state: ProbeState; worked: boolean } | null {
  const from = state.pendingFromBps;
  if (from === null) return { state, worked: false };
  const worked = estimateBps >= PROBE_BELOW_BPS || estimateBps >= from * PROBE_GAIN;
  if (!worked && now < state.settleBy) return null;
  const backoffMs = worked ? PROBE_FIRST_BACKOFF_MS : Math.min(PROBE_MAX_BACKOFF_MS, state.backoffMs * 2);
  // After a failure the next probe waits the doubled back-off; after a success the usual first one.
  return { state: { pendingFromBps: null, settleBy: 0, notBefore: now + (worked ? PROBE_FIRST_BACKOFF_MS : state.backoffMs), backoffMs }, worked };
}
