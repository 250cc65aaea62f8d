import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { FreezeWatch, type WatchedConsumer } from './FreezeWatch.ts';

/** A consumer whose forwarded packet count the test moves by hand. */
function fakeConsumer() {
  const c = {
    id: 'c1',
    closed: false,
    paused: false,
    producerPaused: false,
    packets: 0,
    keyFrames: 0,
    getStats: async () => [{ type: 'outbound-rtp', packetCount: c.packets }, { type: 'inbound-rtp', packetCount: 999 }],
    requestKeyFrame: async () => {
      c.keyFrames++;
    },
  };
  return c satisfies WatchedConsumer;
}

/** A watch on a fake consumer and clock; `feed` polls every 500 ms, `packets` saying how many go out before each poll. */
function watched() {
  const clock = { t: 0 };
  const c = fakeConsumer();
  const watch = new FreezeWatch(c, pino({ level: 'silent' }), { pollMs: 60_000, now: () => clock.t });
  const feed = async (packets: number[]) => {
    for (const n of packets) {
      clock.t += 500;
      c.packets += n;
      await watch.poll();
    }
  };
  return { c, watch, feed };
}

describe('FreezeWatch', () => {
  it('asks for a keyframe once, when packets flow again after more than a second without any', async () => {
    const { c, watch, feed } = watched();
    await feed([40, 40, 40]);
    expect(c.keyFrames).toBe(0);
    // The outage: 2 s with nothing forwarded, then the picture's packets again.
    await feed([0, 0, 0, 0]);
    expect(c.keyFrames).toBe(0);
    await feed([35]);
    expect(c.keyFrames).toBe(1);
    await feed([40, 40, 40]);
    expect(c.keyFrames).toBe(1);
    expect(watch.recoveries).toBe(1);
    watch.stop();
  });

  it('leaves a short gap alone (the browser recovers it with NACKs)', async () => {
    const { c, watch, feed } = watched();
    await feed([40, 0, 40, 40]);
    expect(c.keyFrames).toBe(0);
    watch.stop();
  });

  it('does not count a pause as a freeze, and stops with the consumer', async () => {
    const { c, feed } = watched();
    await feed([40]);
    // The terminal's producer paused between calls: nothing flows for a long time, then a new call.
    c.producerPaused = true;
    await feed([0, 0, 0, 0, 0, 0]);
    c.producerPaused = false;
    await feed([40, 40]);
    expect(c.keyFrames).toBe(0);
    c.closed = true;
    await feed([0, 0, 0]);
    c.closed = false;
    await feed([40]);
    expect(c.keyFrames).toBe(0);
  });
});
