import type { types } from 'mediasoup';

/**
 * Keyframe requests towards a camera, spaced so that none is lost.
 *
 * Two rules meet here, and together they cost a full second of picture:
 * - the sender (libwebrtc, in @roamhq/wrtc on a terminal and in a console's
 *   browser) honours at most one PLI/FIR per 300 ms and drops the others
 *   without a word;
 * - mediasoup's producer, having sent a PLI, sends no other for that stream
 *   until a keyframe arrives, or until 1 s has passed.
 * So a request 10–300 ms after one that was already answered goes to a sender
 * that ignores it, and whoever asked sees nothing until mediasoup's 1 s retry
 * (bench-call-setup traced it: PLI out at 102 ms, keyframe in at 264 ms
 * before the console's consumer was resumed, the console's PLI at 281 ms
 * dropped, the retry at 1266 ms, first picture at 1.56 s).
 *
 * mediasoup's own keyFrameRequestDelay holds back, in the worker, any request
 * made within that time of the last one and sends it when the time is up
 * (several waiting requests cost one). Being in the worker it covers every
 * source: a console resuming its consumer, a browser's own PLI, the recorder
 * asking while ffmpeg probes, a responder's phone, across piped routers. (An
 * earlier version spaced the relay's own requests in JavaScript, and the
 * recorder's and the browsers' requests still slipped through it.)
 */
const SENDER_MIN_INTERVAL_MS = 300;
/** A little more than the sender's interval: the worker's clock and the sender's see a PLI at different moments. */
const KEYFRAME_REQUEST_DELAY_MS = SENDER_MIN_INTERVAL_MS + 60;

/** What every producer the relay makes for a peer's media is given (audio has no keyframes). */
export function keyFrameOptions(kind: types.MediaKind): Pick<types.ProducerOptions, 'keyFrameRequestDelay'> {
  return kind === 'video' ? { keyFrameRequestDelay: KEYFRAME_REQUEST_DELAY_MS } : {};
}
