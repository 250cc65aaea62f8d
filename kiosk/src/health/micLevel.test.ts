import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ButtonTap } from '../doctor/ButtonTap.ts';
import { SimButton } from '../hw/SimButton.ts';
import { SimLed } from '../hw/SimLed.ts';
import { SimRoom } from '../hw/SimRoom.ts';
import type { AudioLevel } from '../hw/LevelMeter.ts';
import { waitUntil } from '../hw/testing/waitUntil.ts';
import { recentMicLevelDbfs } from './micLevel.ts';
import { Supervision, type SupervisionSignal } from './Supervision.ts';

const level = (over: Partial<AudioLevel>): AudioLevel => ({ framesWritten: 10, lastRmsDbfs: -20, peakRmsDbfs: -18, recentRmsDbfs: -21, lastWriteAtMs: 5_000, ...over });

describe('microphone level in the health report', () => {
  it('is the recent level while capturing, null before the first frame and once capture stopped', () => {
    expect(recentMicLevelDbfs(level({}), 5_200)).toBe(-21);
    expect(recentMicLevelDbfs(level({ recentRmsDbfs: -100 }), 5_200)).toBe(-100);
    expect(recentMicLevelDbfs(level({ lastWriteAtMs: null, framesWritten: 0 }), 5_200)).toBeNull();
    expect(recentMicLevelDbfs(level({}), 6_500)).toBeNull();
  });

  it('a terminal in a call reports what its microphone hears; an idle one reports null', async () => {
    const room = new SimRoom({ voice: { amplitude: 0.25 } });
    const signal: SupervisionSignal = { ready: false, lastRttMs: null, clockOffsetMs: null, request: () => Promise.reject(new Error('offline')), on: () => undefined };
    const sup = new Supervision({
      signal,
      relayUrl: 'http://127.0.0.1:1',
      version: 'test',
      button: new ButtonTap(new SimButton()),
      led: new SimLed(),
      camera: { framesDelivered: 0 } as never,
      microphone: room.microphone,
      speaker: room.speaker,
      tamper: null,
      modem: null,
      isIdle: () => true,
      nightlyHour: null,
      logger: pino({ level: 'silent' }),
    });
    try {
      expect(sup.health().micLevelDbfs).toBeNull();
      await room.microphone.start(() => {});
      await waitUntil(() => room.microphone.framesDelivered >= 20, 3000);
      // A 0.25 full-scale sine: RMS -15 dBFS.
      expect(sup.health().micLevelDbfs).toBeCloseTo(-15, 0);
      room.faults.micDead = true;
      await new Promise((r) => setTimeout(r, 600));
      expect(sup.health().micLevelDbfs).toBe(-100);
      await room.microphone.stop();
      await waitUntil(() => sup.health().micLevelDbfs === null, 3000);
    } finally {
      await room.microphone.stop();
      sup.close();
    }
  });
});
