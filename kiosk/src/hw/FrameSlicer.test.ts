import { describe, expect, it } from 'vitest';
import { FrameSlicer } from './FrameSlicer.ts';

/** A byte stream whose content says where each byte came from. */
function stream(length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + (i >> 8)) & 0xff;
  return out;
}

/** Deterministic pseudo-random chunk sizes (xorshift). */
function chunkSizes(seed: number, max: number) {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return 1 + ((x >>> 0) % max);
  };
}

describe('FrameSlicer', () => {
  it('reassembles exact frames across arbitrary chunk boundaries', () => {
    const frameBytes = 1000;
    const input = stream(frameBytes * 37 + 123);
    for (const [seed, max] of [[1, 7], [2, 999], [3, 1000], [4, 1001], [5, 4567], [6, 1]] as const) {
      const slicer = new FrameSlicer({ frameBytes });
      const frames: Uint8Array[] = [];
      const next = chunkSizes(seed, max);
      for (let o = 0; o < input.length; ) {
        const n = Math.min(next(), input.length - o);
        slicer.push(input.subarray(o, o + n), (f) => frames.push(f));
        o += n;
      }
      expect(frames).toHaveLength(37);
      frames.forEach((f, i) => {
        expect(f.length).toBe(frameBytes);
        expect(Buffer.from(f).equals(Buffer.from(input.subarray(i * frameBytes, (i + 1) * frameBytes)))).toBe(true);
      });
      expect(slicer.pendingBytes).toBe(123);
    }
  });

  it('delivers several frames from one big chunk, in order', () => {
    const slicer = new FrameSlicer({ frameBytes: 4 });
    const frames: number[][] = [];
    slicer.push(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), (f) => frames.push([...f]));
    expect(frames).toEqual([[1, 2, 3, 4], [5, 6, 7, 8]]);
    slicer.push(Uint8Array.from([11, 12]), (f) => frames.push([...f]));
    expect(frames[2]).toEqual([9, 10, 11, 12]);
  });

  it('frames do not alias the input chunk, so the producer may reuse it', () => {
    const slicer = new FrameSlicer({ frameBytes: 4 });
    const chunk = Uint8Array.from([1, 2, 3, 4]);
    let got: Uint8Array | undefined;
    slicer.push(chunk, (f) => (got = f));
    chunk.fill(0);
    expect([...(got as Uint8Array)]).toEqual([1, 2, 3, 4]);
  });

  it('reset drops a partial frame so the next producer starts aligned', () => {
    const slicer = new FrameSlicer({ frameBytes: 4 });
    const frames: number[][] = [];
    slicer.push(Uint8Array.from([9, 9, 9]), (f) => frames.push([...f]));
    slicer.reset();
    expect(slicer.pendingBytes).toBe(0);
    slicer.push(Uint8Array.from([1, 2, 3, 4]), (f) => frames.push([...f]));
    expect(frames).toEqual([[1, 2, 3, 4]]);
  });

  it('without a pool every frame is its own buffer; with one, buffers are reused round-robin', () => {
    const fresh = new FrameSlicer({ frameBytes: 2 });
    const a: Uint8Array[] = [];
    fresh.push(new Uint8Array(8), (f) => a.push(f));
    expect(new Set(a.map((f) => f.buffer)).size).toBe(4);

    const pooled = new FrameSlicer({ frameBytes: 2, poolSize: 2 });
    const b: Uint8Array[] = [];
    pooled.push(Uint8Array.from([1, 1, 2, 2, 3, 3]), (f) => b.push(f));
    expect(b[0]).toBe(b[2]);
    expect(b[0]).not.toBe(b[1]);
    expect([...(b[2] as Uint8Array)]).toEqual([3, 3]);
  });

  it('rejects a nonsensical frame size', () => {
    expect(() => new FrameSlicer({ frameBytes: 0 })).toThrow(RangeError);
    expect(() => new FrameSlicer({ frameBytes: 1.5 })).toThrow(RangeError);
  });
});
