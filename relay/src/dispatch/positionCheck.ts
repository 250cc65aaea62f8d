import { AppError, ErrorCode } from '@helppoint/shared';
import { straightMetres } from './AlleyNetwork.ts';

/**
 * Refuses positions that cannot be right: out of range, not finite, the
 * "null island" (0, 0) a phone reports when it has no fix, too soon after the
 * last one (the page reports at a bounded rate), or a jump faster than anyone
 * gets through the alleys.
 */
export function checkPosition(
  p: { latitude: number; longitude: number; accuracyM?: number | undefined },
  last: { latitude: number; longitude: number; at: number } | null,
  at: number,
  limits: { positionMinIntervalMs: number; maxSpeedKmh: number },
): void {
  const { latitude: lat, longitude: lon } = p;
  if (!Number.isFinite(lat) || !Number.isFinite(lon) || lat < -90 || lat > 90 || lon < -180 || lon > 180) {
    throw new AppError(ErrorCode.BadCoordinates, 'latitude must be within ±90 and longitude within ±180 degrees');
  }
  if (Math.abs(lat) < 1e-6 && Math.abs(lon) < 1e-6) throw new AppError(ErrorCode.BadCoordinates, '0, 0 is what a phone without a fix reports');
  if (p.accuracyM !== undefined && (!Number.isFinite(p.accuracyM) || p.accuracyM < 0)) throw new AppError(ErrorCode.BadCoordinates, 'accuracy must be a distance in metres');
  if (!last) return;
  const dt = at - last.at;
  if (dt < limits.positionMinIntervalMs) {
    throw new AppError(ErrorCode.PositionTooFrequent, `report at most every ${limits.positionMinIntervalMs} ms`, { retryAfterMs: limits.positionMinIntervalMs - dt });
  }
  const kmh = straightMetres(last, p) / 1000 / (dt / 3_600_000);
  if (kmh > limits.maxSpeedKmh) throw new AppError(ErrorCode.BadCoordinates, `that is ${Math.round(kmh)} km/h from the last position`);
}
