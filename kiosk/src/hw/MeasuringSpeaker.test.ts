import { describe, expect, it } from 'vitest';
import { DBFS_FLOOR } from './audioLevel.ts';
import { MeasuringSpeaker } from './MeasuringSpeaker.ts';
import { sine } from './testing/signals.ts';

function tenMs(amplitude: number, frame: number): Int16Array {
  return sine({ samples: 480, frequencyHz: 440, sampleRate: 48000, amplitude, startSample: frame * 480 });
}

describe('MeasuringSpeaker', () => {
  it('reports a tone near its expected level and counts frames', () => {
    let t = 1000;
    const speaker = new MeasuringSpeaker({ now: () => t });
    for (let i = 0; i < 50; i++) {
      speaker.write(tenMs(0.5, i), 48000, 1);
      t += 10;
    }
    const level = speaker.level;
    expect(level.framesWritten).toBe(50);
    // 0.5 of full scale: -3.01 - 6.02 dB.
    expect(level.lastRmsDbfs).toBeCloseTo(-9.03, 0);
    expect(level.recentRmsDbfs).toBeCloseTo(-9.03, 0);
    expect(level.peakRmsDbfs).toBeCloseTo(-9.03, 0);
    expect(level.lastWriteAtMs).toBe(1490);
    expect(speaker.format).toEqual({ sampleRate: 48000, channels: 1 });
  });

  it('silence reads as the floor; the recent level decays while the peak is kept', () => {
    let t = 0;
    const speaker = new MeasuringSpeaker({ now: () => t });
    expect(speaker.level).toEqual({
      framesWritten: 0,
      lastRmsDbfs: DBFS_FLOOR,
      peakRmsDbfs: DBFS_FLOOR,
      recentRmsDbfs: DBFS_FLOOR,
      lastWriteAtMs: null,
    });
    for (let i = 0; i < 20; i++, t += 10) speaker.write(tenMs(1, i), 48000, 1);
    // 250 ms of silence: the window still holds half tone.
    for (let i = 0; i < 25; i++, t += 10) speaker.write(new Int16Array(480), 48000, 1);
    const mid = speaker.level;
    expect(mid.lastRmsDbfs).toBe(DBFS_FLOOR);
    expect(mid.recentRmsDbfs).toBeLessThan(-5);
    expect(mid.recentRmsDbfs).toBeGreaterThan(-15);
    for (let i = 0; i < 60; i++, t += 10) speaker.write(new Int16Array(480), 48000, 1);
    const later = speaker.level;
    expect(later.recentRmsDbfs).toBe(DBFS_FLOOR);
    expect(later.peakRmsDbfs).toBeCloseTo(-3.01, 0);
  });

  it('the recent level falls to the floor when writes stop', () => {
    let t = 0;
    const speaker = new MeasuringSpeaker({ now: () => t });
    speaker.write(tenMs(1, 0), 48000, 1);
    expect(speaker.level.recentRmsDbfs).toBeGreaterThan(-4);
    t += 600;
    expect(speaker.level.recentRmsDbfs).toBe(DBFS_FLOOR);
    expect(speaker.level.lastRmsDbfs).toBeGreaterThan(-4);
  });

  it('ignores writes after close', async () => {
    const speaker = new MeasuringSpeaker();
    await speaker.close();
    await speaker.close();
    speaker.write(tenMs(1, 0), 48000, 1);
    expect(speaker.level.framesWritten).toBe(0);
  });
});
