import type { AudioLevel } from './LevelMeter.ts';

/** WebRTC's RTCAudioSource takes exactly 10 ms per call: 480 samples at 48 kHz mono. */
export const MIC_SAMPLE_RATE = 48000;
export const MIC_CHANNELS = 1;
export const MIC_FRAME_SAMPLES = 480;
export const MIC_FRAME_MS = 10;

export interface Microphone {
  /** onPcm gets a fresh Int16Array of MIC_FRAME_SAMPLES per 10 ms; it may keep it. */
  start(onPcm: (samples: Int16Array) => void): Promise<void>;
  stop(): Promise<void>;
  readonly sampleRate: 48000;
  readonly channels: 1;
  readonly framesDelivered: number;
  /** What the microphone heard lately (the frames handed to onPcm), for the health report and self-test. */
  readonly level: AudioLevel;
}
