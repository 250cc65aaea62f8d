import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AlsaSpeaker } from './AlsaSpeaker.ts';
import { DBFS_FLOOR } from './audioLevel.ts';
import { sine } from './testing/signals.ts';
import { waitUntil } from './testing/waitUntil.ts';

const waitFor = (predicate: () => boolean, timeoutMs = 3000) => waitUntil(predicate, timeoutMs);

const tone = (i: number) => sine({ samples: 480, frequencyHz: 440, sampleRate: 48000, amplitude: 0.5, startSample: i * 480 });

// No sound card here: ffmpeg's null muxer consumes the PCM instead of ALSA.
const nullOutput = ['-f', 'null', '-'];

describe('AlsaSpeaker', () => {
  it('pipes PCM into a player started on the first write, and meters it', async () => {
    const speaker = new AlsaSpeaker({ outputArgs: nullOutput });
    expect(speaker.pid).toBeNull();
    for (let i = 0; i < 20; i++) speaker.write(tone(i), 48000, 1);
    expect(speaker.pid).not.toBeNull();
    expect(speaker.level.framesWritten).toBe(20);
    expect(speaker.level.lastRmsDbfs).toBeCloseTo(-9.03, 0);
    expect(speaker.framesDropped).toBe(0);
    await speaker.close();
    await speaker.close();
    speaker.write(tone(0), 48000, 1);
    expect(speaker.level.framesWritten).toBe(20);
  });

  it('after the player dies, the next write after the backoff delay restarts it', async () => {
    const speaker = new AlsaSpeaker({ outputArgs: nullOutput, backoff: { initialMs: 100, jitter: 0 } });
    speaker.write(tone(0), 48000, 1);
    const pid = speaker.pid as number;
    await waitFor(() => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    process.kill(pid, 'SIGKILL');
    await waitFor(() => speaker.pid === null);
    // Inside the backoff window the frame is measured but dropped.
    speaker.write(tone(1), 48000, 1);
    expect(speaker.pid).toBeNull();
    expect(speaker.framesDropped).toBe(1);
    await new Promise((r) => setTimeout(r, 150));
    speaker.write(tone(2), 48000, 1);
    expect(speaker.pid).not.toBeNull();
    expect(speaker.pid).not.toBe(pid);
    expect(speaker.spawnCount).toBe(2);
    expect(speaker.level.framesWritten).toBe(3);
    await speaker.close();
  });

  it('a change of sample format restarts the player with the new format', async () => {
    const speaker = new AlsaSpeaker({ outputArgs: nullOutput });
    speaker.write(tone(0), 48000, 1);
    const first = speaker.pid;
    speaker.write(new Int16Array(960), 48000, 2);
    expect(speaker.pid).not.toBeNull();
    expect(speaker.pid).not.toBe(first);
    expect(speaker.level.lastRmsDbfs).toBe(DBFS_FLOOR);
    await speaker.close();
  });

  it('drops audio rather than queueing it when the player does not keep up', async () => {
    // A "player" that never reads its stdin, like ffmpeg stuck on a hung device.
    const dir = await mkdtemp(join(tmpdir(), 'speaker-'));
    const stuck = join(dir, 'stuck-player');
    await writeFile(stuck, '#!/bin/sh\nexec sleep 30\n');
    await chmod(stuck, 0o755);
    const speaker = new AlsaSpeaker({ ffmpegPath: stuck, maxBacklogMs: 100, killTimeoutMs: 500 });
    try {
      // 10 s of audio in one burst: only what fits the pipe plus ~100 ms may be accepted.
      for (let i = 0; i < 1000; i++) speaker.write(tone(i), 48000, 1);
      const accepted = 1000 - speaker.framesDropped;
      expect(accepted).toBeGreaterThan(0);
      // 64 KiB of pipe buffer is ~68 frames; 100 ms more is 10.
      expect(accepted).toBeLessThan(120);
      expect(speaker.level.framesWritten).toBe(1000);
    } finally {
      await speaker.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
