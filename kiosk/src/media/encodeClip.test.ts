import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeClip } from './encodeClip.ts';

const W = 64;
const H = 48;
const frame = (v: number) => new Uint8Array((W * H * 3) / 2).fill(v);
let tmp: string;
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('encodeClip', () => {
  it('makes a playable VP8/Opus WebM of the whole window (gaps filled) and leaves no temporary file', async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clip-test-'));
    // 6 s at 5 fps with a 1 s hole (the camera stalled): still 6 s of picture.
    const frames = Array.from({ length: 31 }, (_, i) => ({ at: 10_000 + i * 200, data: frame(i * 8) })).filter((f) => f.at < 12_000 || f.at >= 13_000);
    const pcm = Array.from({ length: 300 }, () => new Int16Array(480).fill(1000));
    const encoded = await encodeClip({ pressedAt: 13_000, beforeMs: 3000, width: W, height: H, fps: 5, frames, pcm }, { tmpDir: tmp });
    expect(encoded.webm.subarray(0, 4).toString('hex')).toBe('1a45dfa3');
    expect(encoded.durationMs).toBe(6200);
    expect(fs.readdirSync(tmp)).toEqual([]);
    const file = path.join(tmp, 'out.webm');
    fs.writeFileSync(file, encoded.webm);
    const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_name', '-of', 'json', file], { encoding: 'utf8' })) as {
      format: { duration: string };
      streams: { codec_name: string }[];
    };
    expect(probe.streams.map((s) => s.codec_name).sort()).toEqual(['opus', 'vp8']);
    // The voice starts at the press (3 s in) and lasts 3 s: the file is as long as the pictures.
    expect(Number(probe.format.duration)).toBeGreaterThan(5.9);
    expect(Number(probe.format.duration)).toBeLessThan(6.6);
  });

  it('fails with ffmpeg’s reason, and still removes its temporary files', async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clip-test-'));
    const bad = { pressedAt: 0, beforeMs: 0, width: W, height: H, fps: 5, frames: [{ at: 0, data: new Uint8Array(10) }], pcm: [] };
    await expect(encodeClip(bad, { tmpDir: tmp })).rejects.toThrow(/ffmpeg could not encode/);
    expect(fs.readdirSync(tmp)).toEqual([]);
  });
});
