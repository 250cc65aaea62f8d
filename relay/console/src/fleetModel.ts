// Pure fleet-page logic: rows, sorting, filtering and what deserves an alert.
// No DOM here, so it is unit-tested directly.
import type { FleetEntry, TerminalView } from '@helppoint/shared/types';

export interface FleetRow {
  terminal: TerminalView;
  entry: FleetEntry;
}

export type FleetSort = 'status' | 'id' | 'temp' | 'signal' | 'heartbeat';
export type FleetFilter = 'all' | 'offline' | 'problems';

export const TEMP_WARN_C = 75;
export const SIGNAL_WARN_DBM = -100;

/** What is wrong with a terminal, most serious first; empty when all is well. */
export function problems(row: FleetRow): string[] {
  const e = row.entry;
  const out: string[] = [];
  if (e.alarm?.active) out.push('tamper');
  if (!e.online) out.push('offline');
  if (e.lastSelfTest && !e.lastSelfTest.passed) out.push('selftest');
  const h = e.health;
  if (h) {
    if (h.cpuTempC !== null && h.cpuTempC >= TEMP_WARN_C) out.push('hot');
    if (h.lte && (!h.lte.present || (h.lte.rssiDbm !== null && h.lte.rssiDbm <= SIGNAL_WARN_DBM))) out.push('signal');
  }
  return out;
}

/** Rank for "offline first": alarms, then offline, then other problems, then healthy. */
function severity(row: FleetRow): number {
  const p = problems(row);
  if (p.includes('tamper')) return 0;
  if (p.includes('offline')) return 1;
  return p.length > 0 ? 2 : 3;
}

const nullsLast = (a: number | null | undefined, b: number | null | undefined, dir: 1 | -1) => {
  if (a == null && b == null) return 0;
  if (a == null) return 1;
  if (b == null) return -1;
  return (a - b) * dir;
};

export function fleetRows(
  terminals: readonly TerminalView[],
  entries: Readonly<Record<string, FleetEntry>>,
  opts: { sort: FleetSort; filter: FleetFilter; query: string },
): FleetRow[] {
  const q = opts.query.trim().toLowerCase();
  const rows = terminals
    .map((terminal) => ({ terminal, entry: entries[terminal.id] ?? emptyEntry(terminal.id, terminal.online) }))
    .filter((r) => {
      if (opts.filter === 'offline' && r.entry.online) return false;
      if (opts.filter === 'problems' && problems(r).length === 0) return false;
      if (!q) return true;
      const t = r.terminal;
      return [t.id, t.name, t.nameEn, t.address, t.hutong].some((s) => s.toLowerCase().includes(q));
    });
  const byId = (a: FleetRow, b: FleetRow) => a.terminal.id.localeCompare(b.terminal.id);
  const cmp: Record<FleetSort, (a: FleetRow, b: FleetRow) => number> = {
    status: (a, b) => severity(a) - severity(b) || byId(a, b),
    id: byId,
    temp: (a, b) => nullsLast(a.entry.health?.cpuTempC, b.entry.health?.cpuTempC, -1) || byId(a, b),
    signal: (a, b) => nullsLast(a.entry.health?.lte?.rssiDbm, b.entry.health?.lte?.rssiDbm, 1) || byId(a, b),
    heartbeat: (a, b) => nullsLast(a.entry.lastHeartbeatAt, b.entry.lastHeartbeatAt, 1) || byId(a, b),
  };
  return rows.sort(cmp[opts.sort]);
}

export function emptyEntry(terminalId: string, online: boolean): FleetEntry {
  return { terminalId, online, lastHeartbeatAt: null, heartbeatLagMs: null, health: null, alarm: null, lastSelfTest: null };
}

/** An alert for field staff when a terminal newly goes offline or its door opens; null otherwise. */
export function alertFor(before: FleetEntry | undefined, after: FleetEntry): 'offline' | 'tamper' | null {
  if (after.alarm?.active && !before?.alarm?.active) return 'tamper';
  if (before && before.online && !after.online) return 'offline';
  return null;
}

/** "12 s", "5 min", "3 h", "2 d" ago. */
export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}
