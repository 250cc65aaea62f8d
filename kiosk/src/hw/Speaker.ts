export interface SpeakerLevel {
  /** Number of write() calls (each normally one 10 ms frame from the call). */
  framesWritten: number;
  /** RMS of the last write, dBFS (DBFS_FLOOR for silence or nothing yet). */
  lastRmsDbfs: number;
  /** Loudest single write since start. */
  peakRmsDbfs: number;
  /** RMS over roughly the last 500 ms; falls to the floor when audio stops. */
  recentRmsDbfs: number;
  /** Wall-clock ms of the last write, or null. */
  lastWriteAtMs: number | null;
}

/**
 * Plays the officer's voice. write() never blocks and never throws for a
 * device problem: audio is real-time, late audio is worse than lost audio.
 */
export interface Speaker {
  write(samples: Int16Array, sampleRate: number, channels: number): void;
  readonly level: SpeakerLevel;
  close(): Promise<void>;
}
