import { describe, expect, it } from 'vitest';
import { EchoPath } from './EchoPath.ts';

/** The loudspeaker alone: no delay, no room, as loud as played. */
const speakerOnly = (distortion?: number) => new EchoPath({ delayMs: 0, lossDb: 0, reflectionsDb: -200, ...(distortion !== undefined ? { distortion } : {}) });

describe('EchoPath loudspeaker', () => {
  it('distortion 0 is linear: quiet and full-scale sound come back exactly as played', () => {
    const out = speakerOnly(0).process(Float32Array.from([0.001, -0.01, 0.5, -1, 1]));
    expect(Array.from(out).map((v) => Number(v.toFixed(6)))).toEqual([0.001, -0.01, 0.5, -1, 1]);
  });

  it('the default ("a little") leaves quiet sound as played and compresses a full-scale peak by about 9 %', () => {
    const out = speakerOnly().process(Float32Array.from([0.01, 1, -1]));
    expect(out[0]).toBeCloseTo(0.01, 4);
    expect(out[1]).toBeGreaterThan(0.9);
    expect(out[1]).toBeLessThan(0.92);
    // The even-order part makes the two polarities differ slightly.
    expect(Math.abs(out[2]!)).toBeLessThan(out[1]!);
  });

  it('a distortion outside 0..1 is refused', () => {
    expect(() => speakerOnly(1.5)).toThrow(RangeError);
    expect(() => speakerOnly(-0.1)).toThrow(/outside 0..1/);
  });
});
