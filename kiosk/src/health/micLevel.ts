import type { AudioLevel } from '../hw/LevelMeter.ts';

/** A microphone whose last frame is older than this is not capturing (a call or self-test ended). */
export const MIC_STALE_MS = 1000;

/**
 * The microphone level for the health report: the recent RMS while the
 * microphone captures (a call, a self-test), null when it is idle, so a
 * quiet room is not mistaken for a dead microphone and an old reading is
 * not reported as current.
 */
export function recentMicLevelDbfs(level: AudioLevel, nowMs: number, staleMs = MIC_STALE_MS): number | null {
  if (level.lastWriteAtMs === null || nowMs - level.lastWriteAtMs > staleMs) return null;
  return level.recentRmsDbfs;
}
