import type { DistrictCallView, DistrictPush, DistrictSnapshot, DistrictTerminalView, StationEntry } from '@helppoint/shared/types';

/** What the district console holds: every station's terminals and open calls, applied from /ws/district pushes. */
export interface DistrictModel {
  stations: Map<string, StationEntry>;
  terminals: Map<string, DistrictTerminalView>;
  calls: Map<string, DistrictCallView>;
  escalateAfterMs: number;
}

export const callKey = (c: { station: string; callId: string }): string => `${c.station}/${c.callId}`;

export function emptyModel(): DistrictModel {
  return { stations: new Map(), terminals: new Map(), calls: new Map(), escalateAfterMs: 30_000 };
}

function fromSnapshot(s: DistrictSnapshot): DistrictModel {
  return {
    stations: new Map(s.stations.map((x) => [x.station, x])),
    terminals: new Map(s.terminals.map((t) => [t.key, t])),
    calls: new Map(s.calls.map((c) => [callKey(c), c])),
    escalateAfterMs: s.escalateAfterMs,
  };
}

/** Pure: the model after one push (the model passed in is not changed). */
export function applyPush(model: DistrictModel, push: DistrictPush): DistrictModel {
  switch (push.type) {
    case 'snapshot':
      return fromSnapshot(push.data);
    case 'station': {
      const stations = new Map(model.stations);
      stations.set(push.data.station, push.data);
      return { ...model, stations };
    }
    case 'terminal': {
      const terminals = new Map(model.terminals);
      terminals.set(push.data.key, push.data);
      return { ...model, terminals };
    }
    case 'terminalGone': {
      const terminals = new Map(model.terminals);
      terminals.delete(push.data.key);
      return { ...model, terminals };
    }
    case 'call': {
      const calls = new Map(model.calls);
      if (push.data.state === 'ended') calls.delete(callKey(push.data));
      else calls.set(callKey(push.data), push.data);
      return { ...model, calls };
    }
    default:
      return model;
  }
}

/** Ringing calls, the ones ringing the district desk first, then oldest first. */
export function ringingCalls(model: DistrictModel): DistrictCallView[] {
  return [...model.calls.values()].filter((c) => c.state === 'ringing').sort((a, b) => Number(b.districtRinging) - Number(a.districtRinging) || a.createdAt - b.createdAt);
}

export function activeCalls(model: DistrictModel): DistrictCallView[] {
  return [...model.calls.values()].filter((c) => c.state === 'answered');
}

export interface StationCounts {
  station: string;
  name: string;
  total: number;
  online: number;
  offline: number;
  ringing: number;
  inCall: number;
  /** Every entry of this station is past its TTL: the station is not reporting. */
  silent: boolean;
}

/** Per-station counts for the fleet view across stations. */
export function stationCounts(model: DistrictModel): StationCounts[] {
  const by = new Map<string, StationCounts>();
  for (const t of model.terminals.values()) {
    const s = by.get(t.station) ?? { station: t.station, name: model.stations.get(t.station)?.name ?? t.station, total: 0, online: 0, offline: 0, ringing: 0, inCall: 0, silent: true };
    s.total++;
    if (t.status === 'online') s.online++;
    else if (t.status === 'offline') s.offline++;
    else if (t.status === 'ringing') s.ringing++;
    else s.inCall++;
    if (!t.stale) s.silent = false;
    by.set(t.station, s);
  }
  return [...by.values()].sort((a, b) => a.station.localeCompare(b.station));
}

/** Terminals in list order: trouble first (ringing, in call, offline), then by station and ID. */
export function terminalList(model: DistrictModel): DistrictTerminalView[] {
  const rank = { ringing: 0, in_call: 1, offline: 2, online: 3 } as const;
  return [...model.terminals.values()].sort((a, b) => rank[a.status] - rank[b.status] || a.station.localeCompare(b.station) || a.terminal.id.localeCompare(b.terminal.id));
}

/** The map's box: every terminal with a small margin (stations of one district share one map). */
export function mapBox(model: DistrictModel): { latMin: number; latMax: number; lonMin: number; lonMax: number } {
  const ts = [...model.terminals.values()].map((t) => t.terminal);
  if (!ts.length) return { latMin: 39.93, latMax: 39.95, lonMin: 116.37, lonMax: 116.4 };
  const lats = ts.map((t) => t.latitude);
  const lons = ts.map((t) => t.longitude);
  const pad = (lo: number, hi: number) => Math.max(0.002, (hi - lo) * 0.08);
  const [la0, la1, lo0, lo1] = [Math.min(...lats), Math.max(...lats), Math.min(...lons), Math.max(...lons)];
  return { latMin: la0 - pad(la0, la1), latMax: la1 + pad(la0, la1), lonMin: lo0 - pad(lo0, lo1), lonMax: lo1 + pad(lo0, lo1) };
}
