import type { types } from 'mediasoup';

/**
 * Keyframe requests towards a terminal's camera, spaced so that none is lost.
 *
 * Two rules meet here, and together they cost a full second of picture:
 * - the kiosk's sender (libwebrtc inside @roamhq/wrtc) honours at most one
 *   PLI/FIR per 300 ms and drops the others without a word;
 * - mediasoup's producer, having sent a PLI, sends no other for that stream
 *   until a keyframe arrives, or until 1 s has passed.
 * So a request 10–300 ms after another one that was already answered goes to
 * a sender that ignores it, and the console that asked sees nothing until
 * mediasoup's 1 s retry (bench-call-setup traced it: PLI out at 102 ms,
 * keyframe in at 264 ms before the console's consumer was resumed, the
 * console's PLI at 281 ms dropped, the retry at 1266 ms, first picture at
 * 1.56 s). Requests made here wait, when they must, until the sender
 * will take them.
 */
const SENDER_MIN_INTERVAL_MS = 300;
/** A little more than the sender's interval: our clock and the kiosk's see the PLI at different moments. */
const SPACING_MS = SENDER_MIN_INTERVAL_MS + 60;

interface Watched {
  /** When the relay last sent this producer's sender a PLI or FIR (from mediasoup's trace events). */
  requestedAt: number;
  /** A request is already waiting for the sender to take it. */
  timer: ReturnType<typeof setTimeout> | null;
  /** Consumers waiting on that timer (any one of them asking is enough: the keyframe reaches them all). */
  waiting: Set<types.Consumer>;
}

// Process-wide like the mediasoup producers themselves: every console, the
// recorder and the responder's phone ask for the same terminal's keyframes.
const watched = new Map<string, Watched>();

/** A terminal's video producer: its keyframe requests are seen from now on (mediasoup trace events, PLI and FIR only). */
export function watchKeyFrames(producer: types.Producer, now: () => number = Date.now): void {
  if (producer.kind !== 'video' || watched.has(producer.id)) return;
  const w: Watched = { requestedAt: Number.NEGATIVE_INFINITY, timer: null, waiting: new Set() };
  watched.set(producer.id, w);
  producer.on('trace', (t) => {
    if ((t.type === 'pli' || t.type === 'fir') && t.direction === 'out') w.requestedAt = now();
  });
  producer.enableTraceEvent(['pli', 'fir']).catch(() => undefined);
  producer.observer.once('close', () => {
    if (w.timer) clearTimeout(w.timer);
    watched.delete(producer.id);
  });
}

/**
 * Asks for a keyframe for this (resumed) consumer: at once when the sender
 * will take it, otherwise as soon as it will. Consumers of producers nobody
 * watches (an officer's microphone has no keyframes; a browser sender has no
 * such rule) ask at once, as before. Returns how long the request waits
 * (ms; 0: sent now), or null for audio, for the logs.
 */
export function requestKeyFrame(consumer: types.Consumer, now: () => number = Date.now): number | null {
  if (consumer.kind !== 'video' || consumer.closed) return null;
  const w = watched.get(consumer.producerId);
  const wait = w ? w.requestedAt + SPACING_MS - now() : 0;
  if (!w || wait <= 0) {
    if (w) w.requestedAt = now();
    consumer.requestKeyFrame().catch(() => undefined);
    return 0;
  }
  w.waiting.add(consumer);
  w.timer ??= setTimeout(() => {
    w.timer = null;
    const live = [...w.waiting].filter((c) => !c.closed);
    w.waiting.clear();
    if (!live.length) return;
    w.requestedAt = now();
    live[0]!.requestKeyFrame().catch(() => undefined);
  }, wait);
  w.timer.unref?.();
  return wait;
}
