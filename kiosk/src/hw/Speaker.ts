import type { AudioLevel } from './LevelMeter.ts';

/** What reached the speaker (framesWritten: write() calls, each normally one 10 ms frame from the call). */
export type SpeakerLevel = AudioLevel;

/**
 * Plays the officer's voice. write() never blocks and never throws for a
 * device problem: audio is real-time, late audio is worse than lost audio.
 */
export interface Speaker {
  write(samples: Int16Array, sampleRate: number, channels: number): void;
  readonly level: SpeakerLevel;
  close(): Promise<void>;
}
