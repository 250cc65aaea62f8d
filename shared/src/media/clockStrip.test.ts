import { describe, expect, it } from 'vitest';
import { decodeClockStrip, stampClockStrip } from './clockStrip.ts';

/** An I420 frame of mid-grey, and its luma as the RGBA a canvas would give (optionally scaled down, with noise). */
function frame(width: number, height: number) {
  return { width, height, data: new Uint8Array(width * height + 2 * Math.ceil(width / 2) * Math.ceil(height / 2)).fill(100) };
}
function toRgba(f: ReturnType<typeof frame>, scale = 1, noise = 0): { rgba: Uint8ClampedArray; width: number; height: number } {
  const width = Math.floor(f.width / scale);
  const height = Math.floor(f.height / scale);
  const rgba = new Uint8ClampedArray(width * height * 4);
  let seed = 7;
  const rand = () => ((seed = (seed * 48271) % 2147483647) / 2147483647 - 0.5) * 2 * noise;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = f.data[Math.floor(y * scale) * f.width + Math.floor(x * scale)]! + rand();
      rgba.set([v, v, v, 255], (y * width + x) * 4);
    }
  }
  return { rgba, width, height };
}

describe('clock strip', () => {
  const at = Date.UTC(2026, 11, 1, 20, 50, 12, 345);

  it('reads back the capture time drawn into the frame, to the millisecond', () => {
    const f = frame(640, 480);
    stampClockStrip(f, at);
    const { rgba, width, height } = toRgba(f);
    expect(decodeClockStrip(rgba, width, height, at + 120)).toBe(at);
  });

  it('survives the encoder scaling the picture down and codec noise', () => {
    const f = frame(640, 480);
    stampClockStrip(f, at);
    const half = toRgba(f, 2, 40);
    expect(decodeClockStrip(half.rgba, half.width, half.height, at + 5000)).toBe(at);
    const quarter = toRgba(f, 4, 30);
    expect(decodeClockStrip(quarter.rgba, quarter.width, quarter.height, at)).toBe(at);
  });

  it('refuses a frame without a strip or with a smeared one', () => {
    const plain = toRgba(frame(640, 480));
    expect(decodeClockStrip(plain.rgba, plain.width, plain.height, at)).toBeNull();
    const f = frame(640, 480);
    stampClockStrip(f, at);
    const bad = toRgba(f);
    // One data block flipped: the parity no longer matches.
    const block = 640 / 40;
    for (let y = 0; y < block; y++) for (let x = 10 * block; x < 11 * block; x++) bad.rgba.set(bad.rgba[(y * 640 + x) * 4]! > 128 ? [16, 16, 16] : [235, 235, 235], (y * 640 + x) * 4);
    expect(decodeClockStrip(bad.rgba, bad.width, bad.height, at)).toBeNull();
  });

  it('lifts the 36-bit time to the epoch time nearest the reader clock', () => {
    const f = frame(320, 240);
    stampClockStrip(f, at);
    const { rgba, width, height } = toRgba(f);
    expect(decodeClockStrip(rgba, width, height, at - 3_000)).toBe(at);
    expect(decodeClockStrip(rgba, width, height, at + 86_400_000)).toBe(at);
  });
});
