import type { Logger } from 'pino';

/** What the watch needs of a mediasoup video consumer. */
export interface WatchedConsumer {
  readonly id: string;
  readonly closed: boolean;
  readonly paused: boolean;
  readonly producerPaused: boolean;
  getStats(): Promise<readonly { type: string; packetCount?: number }[]>;
  requestKeyFrame(): Promise<void>;
}

/** How often a resumed video consumer's packet count is read. */
export const FREEZE_POLL_MS = 500;
/** No packet forwarded for more than this, while neither side paused it, is a freeze. */
export const FREEZE_AFTER_MS = 1_000;

/**
 * Asks the camera for a keyframe the moment a frozen picture starts moving
 * again (issue 15, bench-link "outage": 2 s of total loss on the terminal's
 * link).
 *
 * After such a gap the packets that come first are delta frames whose
 * references were lost: the relay's NACKs to the terminal can fetch only what
 * its send history still holds, and the browser cannot decode the rest. It
 * asks for a keyframe itself only once it has had nothing decodable for about
 * 3 s, so the officer's picture stayed frozen for 3.3 s after every outage
 * even though packets were flowing again 150 ms after it. The relay sees the
 * gap in the consumer's own packet count, and asks as soon as the count
 * moves again (mediasoup's keyFrameRequestDelay still spaces the request
 * from any other, keyFrames.ts).
 *
 * One getStats every FREEZE_POLL_MS per resumed video consumer, only while
 * it is neither paused nor its producer paused (a terminal between calls,
 * a console that stopped previewing).
 */
export class FreezeWatch {
  readonly #consumer: WatchedConsumer;
  readonly #log: Logger;
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #now: () => number;
  #lastCount: number | null = null;
  #lastMovedAt: number;
  #busy = false;
  #stopped = false;
  /** Keyframes asked for after a freeze (for the logs and tests). */
  recoveries = 0;

  constructor(consumer: WatchedConsumer, log: Logger, opts: { pollMs?: number; now?: () => number } = {}) {
    this.#consumer = consumer;
    this.#log = log;
    this.#now = opts.now ?? Date.now;
    this.#lastMovedAt = this.#now();
    this.#timer = setInterval(() => void this.poll(), opts.pollMs ?? FREEZE_POLL_MS);
    this.#timer.unref?.();
  }

  /** One reading (the timer calls it; a test can too). */
  async poll(): Promise<void> {
    const c = this.#consumer;
    if (this.#stopped || this.#busy) return;
    if (c.closed) return this.stop();
    if (c.paused || c.producerPaused) {
      // Paused on purpose: nothing is expected, and resuming asks for a keyframe anyway.
      this.#lastCount = null;
      return;
    }
    this.#busy = true;
    try {
      const stats = await c.getStats();
      const count = stats.find((s) => s.type === 'outbound-rtp')?.packetCount;
      if (typeof count !== 'number' || this.#stopped) return;
      const now = this.#now();
      const before = this.#lastCount;
      this.#lastCount = count;
      // The first reading (or the first after a pause) starts the clock.
      if (before === null) {
        this.#lastMovedAt = now;
        return;
      }
      if (count === before) return;
      const stalledMs = now - this.#lastMovedAt;
      this.#lastMovedAt = now;
      // One silent poll is a gap of 0.5–1 s; two or more are at least FREEZE_AFTER_MS.
      if (stalledMs <= FREEZE_AFTER_MS) return;
      this.recoveries++;
      this.#log.info({ consumerId: c.id, stalledMs }, 'picture moving again after a freeze: asking the camera for a keyframe');
      await c.requestKeyFrame();
    } catch (err) {
      if (!c.closed) this.#log.debug({ err, consumerId: c.id }, 'freeze watch could not read the consumer');
    } finally {
      this.#busy = false;
    }
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
  }
}
