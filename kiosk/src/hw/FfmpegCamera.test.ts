import { describe, expect, it } from 'vitest';
import { i420FrameBytes } from './Camera.ts';
import type { VideoFrame } from './Camera.ts';
import { FfmpegCamera } from './FfmpegCamera.ts';
import { waitUntil } from './testing/waitUntil.ts';

const W = 160;
const H = 120;

const waitFor = (predicate: () => boolean, timeoutMs = 4000) => waitUntil(predicate, timeoutMs);

function lumaRange(frame: VideoFrame): number {
  let min = 255;
  let max = 0;
  for (let i = 0; i < frame.width * frame.height; i++) {
    const y = frame.data[i] as number;
    if (y < min) min = y;
    if (y > max) max = y;
  }
  return max - min;
}

function differingBytes(a: Uint8Array, b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

describe('i420FrameBytes', () => {
  it('is w*h*3/2 for even sizes and rounds chroma up for odd ones', () => {
    expect(i420FrameBytes(640, 480)).toBe(460800);
    expect(i420FrameBytes(3, 3)).toBe(9 + 2 * 4);
  });
});

describe('FfmpegCamera factories', () => {
  it('test pattern draws label and clock when a font exists, and degrades without one', () => {
    const withFont = FfmpegCamera.testPattern({ width: W, height: H, fps: 10, label: 'HT-1', fontFile: '/f.ttf' });
    const graph = withFont.args[withFont.args.indexOf('-i') + 1] as string;
    expect(graph).toContain('testsrc2=size=160x120:rate=10');
    expect(graph).toContain('fontfile=/f.ttf');
    expect(graph).toContain('text=HT-1');
    expect(graph).toContain('%{localtime}');
    expect(withFont.args).toContain('-re');

    const noFont = FfmpegCamera.testPattern({ width: W, height: H, fps: 10, label: 'HT-1', fontFile: null });
    expect(noFont.args.join(' ')).not.toContain('drawtext');
  });

  it('v4l2 asks the device for size and rate and forces the output size', () => {
    const cam = FfmpegCamera.v4l2({ device: '/dev/video2', width: 640, height: 480, fps: 15, inputFormat: 'mjpeg' });
    const a = cam.args.join(' ');
    expect(a).toContain('-f v4l2 -framerate 15 -video_size 640x480 -input_format mjpeg -i /dev/video2');
    expect(a).toMatch(/-s 640x480 -pix_fmt yuv420p -f rawvideo pipe:1$/);
  });
});

describe('FfmpegCamera with a real ffmpeg', () => {
  it('delivers exact I420 frames at about the frame rate, with a moving, non-uniform picture', async () => {
    // A label full of filter-graph metacharacters proves the escaping end to end.
    const cam = FfmpegCamera.testPattern({ width: W, height: H, fps: 20, label: "HT-017: Gate 3, 'A' [x]; 100%" });
    const frames: VideoFrame[] = [];
    const times: number[] = [];
    await cam.start((f) => {
      frames.push(f);
      times.push(performance.now());
    });
    try {
      await waitFor(() => frames.length >= 21);
    } finally {
      await cam.stop();
    }
    expect(frames.every((f) => f.data.length === (W * H * 3) / 2 && f.width === W && f.height === H)).toBe(true);
    expect(cam.framesDelivered).toBe(frames.length);
    // Paced by -re: 20 intervals at 20 fps take about a second, not a few ms.
    const fps = 20 / (((times[20] as number) - (times[0] as number)) / 1000);
    expect(fps).toBeGreaterThan(14);
    expect(fps).toBeLessThan(27);
    const first = frames[0] as VideoFrame;
    const last = frames[20] as VideoFrame;
    expect(lumaRange(first)).toBeGreaterThan(100);
    expect(differingBytes(first.data, last.data)).toBeGreaterThan(500);
  });

  it('restarts ffmpeg after it is killed and keeps delivering frames', async () => {
    const cam = FfmpegCamera.testPattern({ width: W, height: H, fps: 25, label: 'HT-2', backoff: { initialMs: 50 } });
    let count = 0;
    const sizes = new Set<number>();
    await cam.start((f) => {
      count++;
      sizes.add(f.data.length);
    });
    try {
      await waitFor(() => count >= 3);
      const firstPid = cam.pid as number;
      process.kill(firstPid, 'SIGKILL');
      await waitFor(() => cam.spawnCount === 2 && cam.pid !== null);
      expect(cam.pid).not.toBe(firstPid);
      const before = count;
      await waitFor(() => count >= before + 3);
    } finally {
      await cam.stop();
    }
    expect([...sizes]).toEqual([i420FrameBytes(W, H)]);
  });

  it('stop ends the child and frames stop; the camera can start again', async () => {
    const cam = FfmpegCamera.testPattern({ width: W, height: H, fps: 25, label: 'HT-3' });
    let count = 0;
    await cam.start(() => count++);
    await waitFor(() => count >= 2);
    const pid = cam.pid as number;
    await cam.stop();
    await cam.stop();
    expect(() => process.kill(pid, 0)).toThrow();
    const after = count;
    await new Promise((r) => setTimeout(r, 200));
    expect(count).toBe(after);
    await expect(cam.start(() => count++)).resolves.toBeUndefined();
    await waitFor(() => count > after);
    await cam.stop();
  });

  it('start rejects when ffmpeg is missing', async () => {
    const cam = new FfmpegCamera({ inputArgs: [], width: W, height: H, fps: 5, ffmpegPath: '/nonexistent/ffmpeg' });
    await expect(cam.start(() => {})).rejects.toThrow(/cannot start/);
  });
});
