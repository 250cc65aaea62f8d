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

describe('SimRoom acoustics', () => {
  it('plays the speaker back into the microphone after the configured delay, then a decaying tail', async () => {
    const room = new SimRoom({ voice: { amplitude: 0 }, echoDelayMs: 30, acousticLossDb: 0, distortion: 0 });
    const heard: Int16Array[] = [];
    let frames = 0;
    await room.microphone.start((pcm) => {
      if (++frames === 5) {
        const click = new Int16Array(3 * 480); // a click, then silence: enough to fill the 30 ms playback buffer
        click[0] = 20000;
        room.speaker.write(click, 48000, 1);
      } else if (frames > 5) {
        heard.push(Int16Array.from(pcm));
      }
    });
    try {
      await waitUntil(() => heard.length >= 45, 3000);
    } finally {
      await room.microphone.stop();
    }
    const all = Int16Array.from(heard.flatMap((f) => [...f]));
    const first = all.findIndex((s) => Math.abs(s) > 100);
    expect(first).toBe(30 * 48); // the direct sound, 30 ms after the click left the speaker
    expect(Math.abs(all[first]!)).toBeGreaterThan(15000);
    const tail = all.subarray(first + 48, first + 48 * 60).reduce((n, s) => n + (Math.abs(s) > 10 ? 1 : 0), 0);
    expect(tail).toBeGreaterThan(10); // reflections follow it
    const late = all.subarray(first + 48 * 150);
    expect(late.length).toBeGreaterThan(48 * 200);
    expect(late.every((s) => s === 0)).toBe(true); // and die away
  });

  it('adds street noise at the level asked for; stereo speaker audio reaches the room too', async () => {
    const room = new SimRoom({ voice: { amplitude: 0 }, streetNoiseDbfs: -40 });
    const noisy = await listen(room, 100);
    expect(noisy.recentRmsDbfs).toBeGreaterThan(-46);
    expect(noisy.recentRmsDbfs).toBeLessThan(-34);

    const quiet = new SimRoom({ voice: { amplitude: 0 }, acousticLossDb: 6 });
    const stereo = new Int16Array(960).fill(12000);
    const echoed = await listen(quiet, 20, () => quiet.speaker.write(stereo, 48000, 2));
    expect(echoed.recentRmsDbfs).toBeGreaterThan(-20);
  });
});
