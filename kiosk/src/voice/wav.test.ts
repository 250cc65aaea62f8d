import { describe, expect, it } from 'vitest';
import { PROMPT_RATE, WavError, decodeWav, encodeWav, resample } from './wav.ts';

describe('WAV prompts', () => {
  it('decodes 16-bit PCM and resamples it to 48 kHz with the same duration', () => {
    const tone = new Int16Array(22050).map((_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 22050)));
    const pcm = decodeWav(encodeWav(tone, 22050));
    expect(pcm.sampleRate).toBe(22050);
    expect(pcm.samples).toEqual(tone);
    const out = resample(pcm);
    expect(out.length).toBe(PROMPT_RATE); // one second either way
    const peak = out.reduce((m, s) => Math.max(m, Math.abs(s)), 0);
    expect(peak).toBeGreaterThan(7500);
    expect(peak).toBeLessThanOrEqual(8000);
  });

  it('mixes stereo down to mono', () => {
    const stereo = new Int16Array([1000, 3000, -2000, 0]);
    expect([...decodeWav(encodeWav(stereo, 48000, 2)).samples]).toEqual([2000, -1000]);
  });

  it('refuses what it cannot play, with a reason', () => {
    expect(() => decodeWav(Buffer.from('not a wav at all'))).toThrow(WavError);
    const eightBit = encodeWav(new Int16Array(10), 8000);
    eightBit.writeUInt16LE(8, 34);
    expect(() => decodeWav(eightBit)).toThrow(/16-bit/);
    const noData = encodeWav(new Int16Array(0), 8000).subarray(0, 36);
    expect(() => decodeWav(noData)).toThrow(/no data/);
  });
});
