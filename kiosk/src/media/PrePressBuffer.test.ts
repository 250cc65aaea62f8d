import { describe, expect, it } from 'vitest';
import { i420FrameBytes, type VideoFrame } from '../hw/Camera.ts';
import { PrePressBuffer } from './PrePressBuffer.ts';

const W = 64;
const H = 48;
const BYTES = i420FrameBytes(W, H);

/** A 15 fps camera whose slicer reuses one buffer, like FrameSlicer: each frame's first byte is its number. */
function camera(buffer: PrePressBuffer, clock: { t: number }) {
  const data = new Uint8Array(BYTES);
  let n = 0;
  return (seconds: number) => {
    for (let i = 0; i < seconds * 15; i++) {
      clock.t += 1000 / 15;
      data.fill(n++ % 256);
      buffer.pushFrame({ data, width: W, height: H } satisfies VideoFrame);
    }
  };
}
const pcm10ms = (v: number) => new Int16Array(480).fill(v);

describe('PrePressBuffer', () => {
  it('keeps 5 of the camera’s 15 frames a second, only the last 3 s, as copies, within a fixed memory bound', () => {
    const clock = { t: 1_000_000 };
    const b = new PrePressBuffer({ seconds: 3, fps: 5, now: () => clock.t });
    const run = camera(b, clock);
    run(60); // a minute idle
    expect(b.capacity).toBe(30);
    expect(b.bytes).toBe(15 * BYTES);
    run(60);
    expect(b.bytes).toBe(15 * BYTES);
  });

  it('a press freezes the last 3 s and collects 3 s more: pictures T-3..T+3 at 5 fps, the voice only from the press', async () => {
    const clock = { t: 1_000_000 };
    const b = new PrePressBuffer({ seconds: 3, fps: 5, now: () => clock.t });
    const run = camera(b, clock);
    run(10);
    b.pushPcm(pcm10ms(1)); // idle: the microphone is off, and anything sent is not kept
    const clipP = b.press();
    const pressedAt = clock.t;
    for (let i = 0; i < 400; i++) b.pushPcm(pcm10ms(2)); // 4 s of voice: 3 s kept
    run(4);
    const clip = await clipP;
    expect(clip).not.toBeNull();
    const c = clip!;
    expect(c.pressedAt).toBe(pressedAt);
    expect(c.beforeMs).toBeGreaterThan(2700);
    expect(c.beforeMs).toBeLessThanOrEqual(3000);
    expect(c.frames.length).toBeGreaterThanOrEqual(29);
    expect(c.frames.length).toBeLessThanOrEqual(31);
    expect(c.frames.at(-1)!.at - pressedAt).toBeGreaterThanOrEqual(3000);
    // In order, about 200 ms apart, each its own copy (the camera's shared buffer was overwritten since).
    for (let i = 1; i < c.frames.length; i++) {
      const gap = c.frames[i]!.at - c.frames[i - 1]!.at;
      expect(gap).toBeGreaterThan(130);
      expect(gap).toBeLessThan(270);
    }
    expect(new Set(c.frames.map((f) => f.data[0])).size).toBe(c.frames.length);
    expect(c.pcm.reduce((n, p) => n + p.length, 0)).toBe(3 * 48_000);
    expect(c.pcm.every((p) => p.every((v) => v === 2))).toBe(true);
    // Handed over, not kept: the ring starts again with the frames after the clip (the 4th second: 5 of them).
    expect(b.bytes).toBe(5 * BYTES);
    expect(b.collecting).toBe(false);
  });

  it('nothing is kept after cancel or stop, and later frames are ignored once stopped', async () => {
    const clock = { t: 1_000_000 };
    const b = new PrePressBuffer({ now: () => clock.t });
    const run = camera(b, clock);
    run(5);
    const clipP = b.press();
    run(1);
    b.pushPcm(pcm10ms(3));
    expect(b.bytes).toBeGreaterThan(0);
    b.cancel();
    expect(await clipP).toBeNull();
    expect(b.bytes).toBe(0);

    run(5);
    expect(b.bytes).toBeGreaterThan(0);
    const second = b.press();
    b.stop();
    expect(await second).toBeNull();
    run(5);
    expect(b.bytes).toBe(0);
    expect(await b.press()).toBeNull();
  });

  it('a press right after start-up has no "before" yet; an early end hands over what came; a second press joins the first', async () => {
    const clock = { t: 1_000_000 };
    const b = new PrePressBuffer({ now: () => clock.t });
    const run = camera(b, clock);
    const clipP = b.press();
    expect(await b.press()).toBeNull();
    run(1);
    b.finishNow();
    const clip = (await clipP)!;
    expect(clip.beforeMs).toBe(0);
    expect(clip.frames.length).toBe(5);
    // A camera that stalled for longer than the window leaves nothing stale to pass as "just before".
    run(3);
    clock.t += 10_000;
    run(1 / 15);
    expect(b.bytes).toBe(BYTES);
  });
});
