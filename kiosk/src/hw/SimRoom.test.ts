import { describe, expect, it } from 'vitest';
import { SimRoom } from './SimRoom.ts';
import { waitUntil } from './testing/waitUntil.ts';

/** Runs the room's microphone for n frames and returns its level. */
async function listen(room: SimRoom, frames: number, whilePlaying?: () => void) {
  let n = 0;
  await room.microphone.start(() => {
    n++;
    whilePlaying?.();
  });
  try {
    await waitUntil(() => n >= frames, 3000);
  } finally {
    await room.microphone.stop();
  }
  return room.microphone.level;
}

describe('SimRoom microphone level', () => {
  it('meters what the microphone hears: the voice, louder with the speaker echo, silence when the capsule is dead', async () => {
    const room = new SimRoom({ voice: { amplitude: 0.25 } });
    const voice = await listen(room, 20);
    expect(voice.framesWritten).toBeGreaterThanOrEqual(20);
    expect(voice.lastRmsDbfs).toBeCloseTo(-15.05, 0);

    const loud = new Int16Array(480).fill(30000);
    const withEcho = await listen(room, 20, () => room.speaker.write(loud, 48000, 1));
    expect(withEcho.lastRmsDbfs).toBeGreaterThan(voice.lastRmsDbfs + 2);

    room.faults.micDead = true;
    expect((await listen(room, 20)).lastRmsDbfs).toBe(-100);
  });
});
