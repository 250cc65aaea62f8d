/**
 * Milliseconds from `now` until the next time the local clock shows
 * `hour`:00 (today if still ahead, else tomorrow). Local time, because "3 in
 * the morning" is when the street is empty, whatever the UTC offset.
 */
export function msUntilHour(now: Date, hour: number): number {
  if (!Number.isInteger(hour) || hour < 0 || hour > 23) throw new Error(`self-test hour must be 0-23, got ${hour}`);
  const next = new Date(now);
  next.setHours(hour, 0, 0, 0);
  if (next.getTime() <= now.getTime()) next.setDate(next.getDate() + 1);
  return next.getTime() - now.getTime();
}
