import { describe, expect, it } from 'vitest';
import { AUDIO_RESERVE_BPS, STEP_DOWN_LOSS, UP_AFTER_MS, VIDEO_LADDER, VIDEO_MAX_BPS, VIDEO_MIN_BPS, encodingFor, nextRung, rungFor } from './videoLadder.ts';

const name = (i: number) => VIDEO_LADDER[i]!.name;

describe('video ladder', () => {
  it('picks smaller, slower pictures as the uplink estimate falls', () => {
    expect(name(rungFor(5_000_000))).toBe('full');
    expect(name(rungFor(500_000))).toBe('reduced');
    expect(name(rungFor(250_000))).toBe('low');
    expect(name(rungFor(90_000))).toBe('minimal');
    expect(name(rungFor(0))).toBe('minimal');
  });

  it('keeps the picture when the estimate falls without loss (only the bitrate follows)', () => {
    let s = { rung: 0, upSince: null as number | null };
    s = nextRung(s, 80_000, 0, 0);
    expect(name(s.rung)).toBe('full');
    s = nextRung(s, 80_000, 5_000, null);
    expect(name(s.rung)).toBe('full');
    s = nextRung(s, 80_000, 6_000, STEP_DOWN_LOSS);
    expect(name(s.rung)).toBe('full');
    // The encoder's cap still follows the estimate.
    expect(encodingFor(s.rung, 80_000, 15).maxBitrate).toBe(VIDEO_MIN_BPS);
  });

  it('steps down at once with loss, but up only after the estimate held above the next rung, then as far as it carries', () => {
    let s = { rung: 0, upSince: null as number | null };
    s = nextRung(s, 150_000, 0, 0.05);
    expect(name(s.rung)).toBe('minimal'); // straight down, no waiting
    s = nextRung(s, 1_000_000, 1000);
    expect(name(s.rung)).toBe('minimal'); // recovered, but not trusted yet
    s = nextRung(s, 1_000_000, 1000 + UP_AFTER_MS - 1);
    expect(name(s.rung)).toBe('minimal');
    s = nextRung(s, 1_000_000, 1000 + UP_AFTER_MS);
    expect(name(s.rung)).toBe('full'); // after the hold, as far up as the estimate carries with its margin
    // From the bottom again, on an estimate that carries only the next rung.
    s = nextRung(s, 150_000, 6_000, 0.1);
    s = nextRung(s, 300_000, 6_500);
    s = nextRung(s, 300_000, 6_500 + UP_AFTER_MS);
    expect(name(s.rung)).toBe('low');
    s = nextRung(s, 210_000, 6_500 + UP_AFTER_MS + 10);
    expect(name(s.rung)).toBe('low');
    // A dip below the margin restarts the wait.
    s = nextRung(s, 1_000_000, 10_000);
    s = nextRung(s, 400_000, 11_000);
    s = nextRung(s, 1_000_000, 12_000);
    expect(s.upSince).toBe(12_000);
  });

  it('leaves the audio its reserve and keeps video within bounds', () => {
    const poor = encodingFor(rungFor(1_000_000 * 0.8), 800_000, 15);
    expect(poor.maxBitrate).toBe(Math.round((800_000 - AUDIO_RESERVE_BPS) * 0.9));
    expect(encodingFor(0, 10_000_000, 15).maxBitrate).toBe(VIDEO_MAX_BPS);
    expect(encodingFor(3, 50_000, 15).maxBitrate).toBe(VIDEO_MIN_BPS);
    // The camera's own frame rate caps the rung's.
    expect(encodingFor(0, 10_000_000, 15).maxFramerate).toBe(15);
    expect(encodingFor(2, 250_000, 15)).toMatchObject({ scaleResolutionDownBy: 2, maxFramerate: 10 });
  });
});
