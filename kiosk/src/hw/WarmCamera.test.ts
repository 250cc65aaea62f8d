import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Camera, VideoFrame } from './Camera.ts';
import { WarmCamera } from './WarmCamera.ts';

/** A camera the test drives by hand: emit() delivers a frame while started. */
class HandCamera implements Camera {
  readonly width = 4;
  readonly height = 2;
  readonly fps = 15;
  framesDelivered = 0;
  starts = 0;
  stops = 0;
  failNextStart = false;
  #onFrame: ((f: VideoFrame) => void) | null = null;
  async start(onFrame: (f: VideoFrame) => void): Promise<void> {
    this.starts++;
    if (this.failNextStart) {
      this.failNextStart = false;
      throw new Error('no camera');
    }
    this.#onFrame = onFrame;
  }
  async stop(): Promise<void> {
    this.stops++;
    this.#onFrame = null;
  }
  emit(): void {
    this.framesDelivered++;
    this.#onFrame?.({ width: 4, height: 2, data: new Uint8Array(12) });
  }
}

const logger = pino({ level: 'silent' });

describe('WarmCamera', () => {
  it('captures from warm-up on, but hands frames to a call only between start and stop', async () => {
    const inner = new HandCamera();
    const cam = new WarmCamera({ camera: inner, logger });
    await cam.warmUp();
    const got: VideoFrame[] = [];
    inner.emit();
    await cam.start((f) => got.push(f));
    inner.emit();
    inner.emit();
    await cam.stop();
    inner.emit();
    expect(got).toHaveLength(2);
    expect(inner.starts).toBe(1);
    expect(inner.stops).toBe(0);
    expect(cam.framesDelivered).toBe(4);
    await cam.start((f) => got.push(f));
    inner.emit();
    expect(got).toHaveLength(3);
    expect(inner.starts).toBe(1);
  });

  it('starts the camera at the first call when warm-up failed, and close stops it once', async () => {
    const inner = new HandCamera();
    inner.failNextStart = true;
    const cam = new WarmCamera({ camera: inner, logger });
    await expect(cam.warmUp()).rejects.toThrow('no camera');
    const got: VideoFrame[] = [];
    await cam.start((f) => got.push(f));
    inner.emit();
    expect(got).toHaveLength(1);
    expect(inner.starts).toBe(2);
    await cam.close();
    await cam.close();
    expect(inner.stops).toBe(1);
    await expect(cam.start(() => undefined)).rejects.toThrow('camera closed');
  });

  it('a tap (the pre-press buffer) sees every frame, idle and in a call, until it is removed', async () => {
    const inner = new HandCamera();
    const cam = new WarmCamera({ camera: inner, logger });
    let tapped = 0;
    cam.tap(() => tapped++);
    await cam.warmUp();
    inner.emit();
    await cam.start(() => undefined);
    inner.emit();
    await cam.stop();
    inner.emit();
    cam.tap(null);
    inner.emit();
    expect(tapped).toBe(3);
    await cam.close();
  });
});
