/**
 * Level maths for s16 PCM. dBFS here is RMS relative to a full-scale square
 * wave, so a full-scale sine reads about -3.01 dBFS (the usual meter
 * convention). Silence is reported as a finite floor rather than -Infinity so
 * the value survives JSON on its way to the status page.
 */
export const DBFS_FLOOR = -100;

const FULL_SCALE = 32768;

export function sumOfSquares(samples: Int16Array): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] as number;
    sum += s * s;
  }
  return sum;
}

/** dBFS of a mean square (in squared sample units); clamped to DBFS_FLOOR. */
export function meanSquareToDbfs(meanSquare: number): number {
  if (!(meanSquare > 0)) return DBFS_FLOOR;
  const db = 10 * Math.log10(meanSquare / (FULL_SCALE * FULL_SCALE));
  return Math.max(DBFS_FLOOR, db);
}

export function rmsDbfs(samples: Int16Array): number {
  if (samples.length === 0) return DBFS_FLOOR;
  return meanSquareToDbfs(sumOfSquares(samples) / samples.length);
}
