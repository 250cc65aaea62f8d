import { describe, expect, it } from 'vitest';
import type { FleetEntry, TerminalView } from '@helppoint/shared';
import { ago, alertFor, emptyEntry, fleetRows, problems } from './fleetModel.ts';

const term = (id: string, name = id): TerminalView => ({
  id,
  name,
  nameEn: `${name} en`,
  address: '北京市西城区',
  hutong: '烟袋斜街',
  district: '西城区',
  kind: 'hutong',
  latitude: 39.9,
  longitude: 116.4,
  notes: '',
  online: true,
  lastSeenAt: null,
});
const entry = (id: string, over: Partial<FleetEntry> = {}, temp: number | null = 50, rssi: number | null = -70): FleetEntry => ({
  ...emptyEntry(id, true),
  lastHeartbeatAt: 1000,
  health: {
    uptimeS: 1,
    cpuTempC: temp,
    load1: 0,
    memFreeMb: 1,
    memTotalMb: 2,
    diskFreeMb: 3,
    camera: { framesDelivered: 0, lastFrameAgoS: null },
    micLevelDbfs: null,
    buttonOkAgoS: null,
    tamperOpen: false,
    lte: { present: true, rssiDbm: rssi, csq: null, registration: 'home', operator: null },
    rttMs: 10,
    clockOffsetMs: 0,
    version: '1',
  },
  ...over,
});

const terminals = ['A-01', 'B-02', 'C-03', 'D-04'].map((id) => term(id));
const entries: Record<string, FleetEntry> = {
  'A-01': entry('A-01'),
  'B-02': entry('B-02', { online: false }),
  'C-03': entry('C-03', { alarm: { kind: 'tamper', active: true, raisedAt: 1, clearedAt: null } }),
  'D-04': entry('D-04', {}, 81, -105),
};

describe('fleet model', () => {
  it('puts alarms first, then offline terminals, then other problems, then healthy ones', () => {
    expect(fleetRows(terminals, entries, { sort: 'status', filter: 'all', query: '' }).map((r) => r.terminal.id)).toEqual(['C-03', 'B-02', 'D-04', 'A-01']);
  });
  it('sorts by temperature (hottest first) and signal (weakest first), unknown readings last', () => {
    const withUnknown = { ...entries, 'A-01': entry('A-01', {}, null, null) };
    expect(fleetRows(terminals, withUnknown, { sort: 'temp', filter: 'all', query: '' }).map((r) => r.terminal.id)).toEqual(['D-04', 'B-02', 'C-03', 'A-01']);
    expect(fleetRows(terminals, withUnknown, { sort: 'signal', filter: 'all', query: '' }).map((r) => r.terminal.id)[0]).toBe('D-04');
  });
  it('filters offline, problems and text', () => {
    expect(fleetRows(terminals, entries, { sort: 'id', filter: 'offline', query: '' }).map((r) => r.terminal.id)).toEqual(['B-02']);
    expect(fleetRows(terminals, entries, { sort: 'id', filter: 'problems', query: '' }).map((r) => r.terminal.id)).toEqual(['B-02', 'C-03', 'D-04']);
    expect(fleetRows(terminals, entries, { sort: 'id', filter: 'all', query: 'c-0' }).map((r) => r.terminal.id)).toEqual(['C-03']);
    expect(problems({ terminal: terminals[3]!, entry: entries['D-04']! })).toEqual(['hot', 'signal']);
  });
  it('a terminal never heard from has an empty entry', () => {
    expect(fleetRows([term('E-05')], {}, { sort: 'status', filter: 'all', query: '' })[0]!.entry).toEqual(emptyEntry('E-05', true));
  });
  it('alerts once when a terminal goes offline or its door opens', () => {
    const on = entry('A-01');
    expect(alertFor(on, { ...on, online: false })).toBe('offline');
    expect(alertFor({ ...on, online: false }, { ...on, online: false })).toBeNull();
    expect(alertFor(undefined, { ...on, online: false })).toBeNull();
    const open = { ...on, alarm: { kind: 'tamper' as const, active: true, raisedAt: 1, clearedAt: null } };
    expect(alertFor(on, open)).toBe('tamper');
    expect(alertFor(open, open)).toBeNull();
  });
  it('formats ages', () => {
    expect([ago(12_000), ago(300_000), ago(3 * 3_600_000), ago(3 * 86_400_000)]).toEqual(['12 s', '5 min', '3 h', '3 d']);
  });
});
