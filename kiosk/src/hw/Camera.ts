/** One I420 (yuv420p) picture: Y plane, then U, then V, no padding. */
export interface VideoFrame {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface Camera {
  /** Resolves once capture is running; frames then arrive through onFrame. */
  start(onFrame: (frame: VideoFrame) => void): Promise<void>;
  stop(): Promise<void>;
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly framesDelivered: number;
}

/** Size of an I420 frame; chroma planes round up for odd dimensions, as ffmpeg does. */
export function i420FrameBytes(width: number, height: number): number {
  return width * height + 2 * Math.ceil(width / 2) * Math.ceil(height / 2);
}
