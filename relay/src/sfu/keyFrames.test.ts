import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { requestKeyFrame, watchKeyFrames } from './keyFrames.ts';

// The parts of mediasoup's Producer and Consumer the spacing uses.
let ids = 0;
function fakeProducer() {
  const p = Object.assign(new EventEmitter(), { id: `p${++ids}`, kind: 'video' as const, observer: new EventEmitter(), enableTraceEvent: vi.fn(async () => undefined) });
  return { p, asMs: p as unknown as types.Producer, pliOut: () => p.emit('trace', { type: 'pli', direction: 'out' }), close: () => p.observer.emit('close') };
}
function fakeConsumer(producerId: string, kind: 'audio' | 'video' = 'video') {
  const c = { producerId, kind, closed: false, requestKeyFrame: vi.fn(async () => undefined) };
  return { c, asMs: c as unknown as types.Consumer };
}

describe('keyframe requests towards a terminal camera', () => {
  // Fake timers move Date.now() too: time passes only where a test says so.
  const now = () => Date.now();
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it('asks at once when the camera has not been asked lately, and for consumers of producers nobody watches', () => {
    const { asMs } = fakeProducer();
    watchKeyFrames(asMs, now);
    const console1 = fakeConsumer(asMs.id);
    requestKeyFrame(console1.asMs, now);
    expect(console1.c.requestKeyFrame).toHaveBeenCalledTimes(1);
    const other = fakeConsumer('not-watched');
    requestKeyFrame(other.asMs, now);
    expect(other.c.requestKeyFrame).toHaveBeenCalledTimes(1);
    // Audio has no keyframes.
    const audio = fakeConsumer(asMs.id, 'audio');
    requestKeyFrame(audio.asMs, now);
    expect(audio.c.requestKeyFrame).not.toHaveBeenCalled();
  });

  it('a request within 300 ms of the last PLI waits until the sender takes it again, and several waiting consoles cost one request', () => {
    const prod = fakeProducer();
    watchKeyFrames(prod.asMs, now);
    prod.pliOut(); // mediasoup asked the camera (the recorder, another console) at 0 ms
    vi.advanceTimersByTime(20);
    const a = fakeConsumer(prod.asMs.id);
    const b = fakeConsumer(prod.asMs.id);
    requestKeyFrame(a.asMs, now);
    vi.advanceTimersByTime(100);
    requestKeyFrame(b.asMs, now);
    // Asked now, the camera would drop it, and mediasoup would not ask again for a second.
    expect(a.c.requestKeyFrame).not.toHaveBeenCalled();
    expect(b.c.requestKeyFrame).not.toHaveBeenCalled();
    vi.advanceTimersByTime(239); // 359 ms after the PLI
    expect(a.c.requestKeyFrame.mock.calls.length + b.c.requestKeyFrame.mock.calls.length).toBe(0);
    vi.advanceTimersByTime(2);
    // 360 ms after the last PLI: one request, whose keyframe reaches both.
    expect(a.c.requestKeyFrame.mock.calls.length + b.c.requestKeyFrame.mock.calls.length).toBe(1);
    vi.advanceTimersByTime(5000);
    expect(a.c.requestKeyFrame.mock.calls.length + b.c.requestKeyFrame.mock.calls.length).toBe(1);
  });

  it('a console that closed while waiting is not asked for, and a closed producer is forgotten', () => {
    const prod = fakeProducer();
    watchKeyFrames(prod.asMs, now);
    prod.pliOut();
    const gone = fakeConsumer(prod.asMs.id);
    requestKeyFrame(gone.asMs, now);
    gone.c.closed = true;
    vi.advanceTimersByTime(1000);
    expect(gone.c.requestKeyFrame).not.toHaveBeenCalled();

    prod.pliOut();
    prod.close();
    const after = fakeConsumer(prod.asMs.id);
    requestKeyFrame(after.asMs, now);
    expect(after.c.requestKeyFrame).toHaveBeenCalledTimes(1);
  });

  it('our own request counts as the last one, so the next console within 300 ms is spaced from it', () => {
    const prod = fakeProducer();
    watchKeyFrames(prod.asMs, now);
    expect(prod.p.enableTraceEvent).toHaveBeenCalledWith(['pli', 'fir']);
    const first = fakeConsumer(prod.asMs.id);
    requestKeyFrame(first.asMs, now);
    expect(first.c.requestKeyFrame).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(50);
    const second = fakeConsumer(prod.asMs.id);
    requestKeyFrame(second.asMs, now);
    expect(second.c.requestKeyFrame).not.toHaveBeenCalled();
    vi.advanceTimersByTime(310);
    expect(second.c.requestKeyFrame).toHaveBeenCalledTimes(1);
  });
});
