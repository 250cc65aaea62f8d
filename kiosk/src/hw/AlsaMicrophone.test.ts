import { describe, expect, it } from 'vitest';
import { AlsaMicrophone } from './AlsaMicrophone.ts';
import { rmsDbfs } from './audioLevel.ts';
import { concatInt16, zeroCrossings } from './testing/signals.ts';
import { waitUntil } from './testing/waitUntil.ts';

const waitFor = (predicate: () => boolean, timeoutMs = 4000) => waitUntil(predicate, timeoutMs);

describe('AlsaMicrophone', () => {
  it('captures from ALSA, downmixed and resampled to 48 kHz mono s16', () => {
    const mic = new AlsaMicrophone({ device: 'plughw:CARD=Device,DEV=0' });
    expect(mic.args.join(' ')).toBe(
      '-hide_banner -nostdin -loglevel error -f alsa -i plughw:CARD=Device,DEV=0 -vn -ac 1 -ar 48000 -flush_packets 1 -f s16le pipe:1',
    );
  });

  it('delivers 480-sample frames of what ffmpeg captured (44.1 kHz stereo source resampled)', async () => {
    // lavfi stands in for the sound card: a 1 kHz tone in stereo at 44.1 kHz.
    const mic = new AlsaMicrophone({
      inputArgs: ['-re', '-f', 'lavfi', '-i', 'sine=frequency=1000:sample_rate=44100,aformat=channel_layouts=stereo'],
    });
    const frames: Int16Array[] = [];
    await mic.start((f) => frames.push(f));
    try {
      await waitFor(() => frames.length >= 50);
    } finally {
      await mic.stop();
    }
    expect(new Set(frames.map((f) => f.length))).toEqual(new Set([480]));
    expect(mic.framesDelivered).toBe(frames.length);
    const audio = concatInt16(frames.slice(0, 50));
    // 1 kHz at 48 kHz: 20 sign changes per 10 ms frame.
    expect(Math.abs(zeroCrossings(audio) - 1000)).toBeLessThanOrEqual(4);
    // The meter reads what the call gets: lavfi's 1/8 full-scale sine, a little quieter after the downmix.
    expect(mic.level.framesWritten).toBe(frames.length);
    expect(mic.level.lastRmsDbfs).toBeCloseTo(rmsDbfs(frames.at(-1)!), 6);
    expect(mic.level.lastRmsDbfs).toBeGreaterThan(-30);
    expect(mic.level.lastRmsDbfs).toBeLessThan(-18);
    expect(mic.level.lastWriteAtMs).not.toBeNull();
    expect(mic.sampleRate).toBe(48000);
    expect(mic.channels).toBe(1);
  });
});
