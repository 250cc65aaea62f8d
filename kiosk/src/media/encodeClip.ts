import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { PrePressClip } from './PrePressBuffer.ts';

export interface EncodedClip {
  webm: Buffer;
  durationMs: number;
  encodeMs: number;
}

/**
 * The pre-press clip as WebM (VP8 + Opus), by ffmpeg, after the press and
 * off the call's path: the raw I420 pictures go in on stdin and the PCM on a
 * second pipe (nothing raw touches the SD card), at a constant frame rate
 * (a missing picture repeats the one before, so the voice stays in step),
 * the voice delayed by beforeMs so it starts at the press. One thread at low
 * priority: the live call keeps the other core. The WebM is written to a
 * temporary file (a seekable output gets its duration and cues), read back
 * and removed.
 */
export async function encodeClip(clip: PrePressClip, opts: { tmpDir?: string; ffmpegPath?: string; timeoutMs?: number } = {}): Promise<EncodedClip> {
  const t0 = Date.now();
  const frames = constantRate(clip);
  if (!frames.length) throw new Error('the clip has no pictures');
  const dir = fs.mkdtempSync(path.join(opts.tmpDir ?? tmpfsDir(), 'helppoint-prepress-'));
  const out = path.join(dir, 'clip.webm');
  const hasVoice = clip.pcm.length > 0;
  const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-threads', '1'];
  args.push('-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${clip.width}x${clip.height}`, '-r', String(clip.fps), '-i', 'pipe:0');
  if (hasVoice) args.push('-f', 's16le', '-ar', '48000', '-ac', '1', '-i', 'pipe:3', '-af', `adelay=${Math.round(clip.beforeMs)}:all=1`);
  args.push('-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '500k', '-g', String(clip.fps * 2));
  if (hasVoice) args.push('-c:a', 'libopus', '-b:a', '32k');
  args.push('-f', 'webm', '-y', out);
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(opts.ffmpegPath ?? 'ffmpeg', args, { stdio: ['pipe', 'ignore', 'pipe', hasVoice ? 'pipe' : 'ignore'] });
      try {
        if (child.pid) os.setPriority(child.pid, 10);
      } catch {
        /* not allowed here: it still runs, only at normal priority */
      }
      let stderr = '';
      child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
      const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else reject(new Error(`ffmpeg could not encode the pre-press clip (${signal ?? code}): ${stderr.trim()}`));
      });
      void feed(child.stdin!, frames);
      if (hasVoice) void feed(child.stdio[3] as Writable, clip.pcm.map((p) => new Uint8Array(p.buffer, p.byteOffset, p.byteLength)));
    });
    return { webm: fs.readFileSync(out), durationMs: (frames.length * 1000) / clip.fps, encodeMs: Date.now() - t0 };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes the chunks with backpressure, then ends the pipe; a pipe ffmpeg closed early just stops (its exit code tells why). */
async function feed(pipe: Writable, chunks: Uint8Array[]): Promise<void> {
  pipe.on('error', () => undefined);
  for (const c of chunks) {
    if (pipe.destroyed) return;
    if (!pipe.write(c)) {
      await new Promise<void>((resolve) => {
        const go = () => {
          pipe.off('drain', go).off('close', go);
          resolve();
        };
        pipe.on('drain', go).on('close', go);
      });
    }
  }
  pipe.end();
}

/** One picture per 1/fps from the first kept frame to the last, each the latest kept at that time. */
function constantRate(clip: PrePressClip): Uint8Array[] {
  const f = clip.frames;
  if (!f.length) return [];
  const step = 1000 / clip.fps;
  const n = Math.round((f.at(-1)!.at - f[0]!.at) / step) + 1;
  const out: Uint8Array[] = [];
  let j = 0;
  for (let i = 0; i < n; i++) {
    const t = f[0]!.at + i * step;
    while (j + 1 < f.length && f[j + 1]!.at <= t + step / 2) j++;
    out.push(f[j]!.data);
  }
  return out;
}

/** A RAM-backed directory where there is one (the Pi's /dev/shm), so the clip never touches the SD card. */
function tmpfsDir(): string {
  try {
    fs.accessSync('/dev/shm', fs.constants.W_OK);
    return '/dev/shm';
  } catch {
    return os.tmpdir();
  }
}
