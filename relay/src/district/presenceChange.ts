import type { FleetEntry } from '@helppoint/shared';

/**
 * What of a fleet entry the district would notice, coarsely: a station
 * publishes a terminal's presence entry again when this changes (or when its
 * periodic refresh comes), not at every heartbeat. Every heartbeat changes
 * the fleet entry (its time, a tenth of a degree), and with 20 stations of
 * 500 terminals that was ~1,000 replicated KV writes a second for nothing the
 * district map shows (bench-district). Temperature counts in 5 °C steps and
 * signal in 5 dB steps; alarms, self-test, version and camera exactly.
 */
export function districtChangeKey(entry: FleetEntry): string {
  const h = entry.health;
  const frameAgo = h?.camera.lastFrameAgoS ?? null;
  const step = (v: number | null | undefined, by: number) => (v === null || v === undefined ? '-' : String(Math.round(v / by)));
  return [
    entry.online ? 1 : 0,
    h ? (frameAgo !== null && frameAgo < 30 ? 1 : 0) : '-',
    step(h?.cpuTempC, 5),
    step(h?.lte?.rssiDbm, 5),
    h?.version ?? '-',
    entry.alarm?.active ? entry.alarm.kind : '-',
    entry.lastSelfTest ? `${entry.lastSelfTest.finishedAt}:${entry.lastSelfTest.passed ? 1 : 0}` : '-',
  ].join('|');
}
