import { describe, expect, it } from 'vitest';
import type { DistrictCallView, DistrictTerminalView } from '@helppoint/shared/types';
import { applyPush, emptyModel, ringingCalls, stationCounts, terminalList } from './districtModel.ts';

const terminal = (station: string, id: string, status: DistrictTerminalView['status'], stale = false): DistrictTerminalView => ({
  v: 1,
  key: `${station}.${id}`,
  station,
  status,
  stale,
  health: null,
  at: 1,
  terminal: { id, name: id, nameEn: id, address: '', hutong: '', district: '', kind: 'hutong', latitude: 39.94, longitude: 116.39, notes: '', online: status !== 'offline', lastSeenAt: null },
});
const call = (station: string, callId: string, over: Partial<DistrictCallView> = {}): DistrictCallView => ({
  station,
  callId,
  terminal: terminal(station, 'XC-HT-001', 'ringing').terminal,
  state: 'ringing',
  kind: 'help',
  createdAt: 100,
  answeredBy: null,
  endReason: null,
  escalatedAt: null,
  districtRinging: false,
  dispatched: false,
  ...over,
});

describe('district console model', () => {
  it('applies terminal, call and gone pushes without changing the old model', () => {
    const m0 = applyPush(emptyModel(), { type: 'snapshot', data: { stations: [], terminals: [terminal('a', 'XC-HT-001', 'online')], calls: [], escalateAfterMs: 30_000 } });
    const m1 = applyPush(m0, { type: 'terminal', data: terminal('b', 'XC-HT-001', 'ringing') });
    expect(m0.terminals.size).toBe(1);
    expect(m1.terminals.size).toBe(2);
    const m2 = applyPush(m1, { type: 'terminalGone', data: { key: 'a.XC-HT-001', station: 'a', terminalId: 'XC-HT-001' } });
    expect([...m2.terminals.keys()]).toEqual(['b.XC-HT-001']);
    const m3 = applyPush(m2, { type: 'call', data: call('b', 'c1') });
    expect(ringingCalls(m3).map((c) => c.callId)).toEqual(['c1']);
    const m4 = applyPush(m3, { type: 'call', data: call('b', 'c1', { state: 'ended', endReason: 'officer_hangup' }) });
    expect(m4.calls.size).toBe(0);
  });

  it('the same call ID at two stations is two calls; district-ringing ones come first', () => {
    let m = emptyModel();
    m = applyPush(m, { type: 'call', data: call('a', 'same', { createdAt: 1 }) });
    m = applyPush(m, { type: 'call', data: call('b', 'same', { createdAt: 2, districtRinging: true }) });
    expect(ringingCalls(m).map((c) => c.station)).toEqual(['b', 'a']);
  });

  it('counts per station, and a station whose entries are all stale is silent', () => {
    let m = emptyModel();
    for (const t of [terminal('a', 'T-1', 'online'), terminal('a', 'T-2', 'in_call'), terminal('b', 'T-1', 'offline', true), terminal('b', 'T-2', 'offline', true)]) m = applyPush(m, { type: 'terminal', data: t });
    expect(stationCounts(m)).toEqual([
      { station: 'a', name: 'a', total: 2, online: 1, offline: 0, ringing: 0, inCall: 1, silent: false },
      { station: 'b', name: 'b', total: 2, online: 0, offline: 2, ringing: 0, inCall: 0, silent: true },
    ]);
    expect(terminalList(m).map((t) => t.key)).toEqual(['a.T-2', 'b.T-1', 'b.T-2', 'a.T-1']);
  });
});
