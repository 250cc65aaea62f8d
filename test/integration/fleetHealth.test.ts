import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetEntry, TerminalHealth } from '@helppoint/shared';
import { RawPeer, startTestRelay } from '../support/relayHarness.ts';
import { enrolTerminals, signedHello } from '../support/terminalKeys.ts';
import type { DeviceKey } from '../../kiosk/src/enrol/deviceKey.ts';
import { parsePrometheus, sampleValue } from '../support/promParse.ts';

/** Terminal health, alarms and self-tests through a real relay (SQLite file, mediasoup worker). */
const HEARTBEAT_MS = 400;
let relay: Awaited<ReturnType<typeof startTestRelay>>;
let keys: Map<string, DeviceKey>;
let wsBase: string;
let cookie: string;

const health = (over: Partial<TerminalHealth> = {}): TerminalHealth => ({
  uptimeS: 120,
  cpuTempC: 48.5,
  load1: 0.3,
  memFreeMb: 700,
  memTotalMb: 3800,
  diskFreeMb: 20_000,
  camera: { framesDelivered: 0, lastFrameAgoS: null },
  micLevelDbfs: null,
  buttonOkAgoS: 3600,
  tamperOpen: false,
  lte: { present: true, rssiDbm: -75, csq: 19, registration: 'home', operator: 'CHINA MOBILE' },
  rttMs: 35,
  clockOffsetMs: -12,
  version: '0.1.0',
  ...over,
});

const errorCode = (frame: Record<string, unknown>) => (frame['error'] as { code: string } | undefined)?.code;

beforeAll(async () => {
  relay = await startTestRelay({ heartbeatIntervalMs: HEARTBEAT_MS });
  keys = enrolTerminals(relay.relay, ['XC-SCH-001', 'XC-HT-003', 'XC-KG-002']);
  wsBase = relay.url.replace(/^http/, 'ws');
  const res = await fetch(`${relay.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'field', password: 'demo-field' }) });
  cookie = res.headers.get('set-cookie')!.split(';')[0]!;
});
afterAll(async () => {
  await relay?.close();
});

/** A console with its fleet page open: it asked for every terminal's readings (fleet.watch). */
async function consolePeer(watch = true): Promise<RawPeer> {
  const c = await RawPeer.open(`${wsBase}/ws/console`, { cookie });
  await c.request(1, 'hello', {});
  if (watch) expect((await c.request(2, 'fleet.watch', { on: true }))['ok']).toBe(true);
  return c;
}
const fleetEvents = (c: RawPeer, terminalId: string) =>
  c.frames
    .filter((f) => f['type'] === 'fleet.updated')
    .map((f) => (f['data'] as { entry: FleetEntry }).entry)
    .filter((e) => e.terminalId === terminalId);

describe('fleet health on the relay', () => {
  it('takes heartbeats with and without a health report, refuses bad reports, and keeps history', async () => {
    const c = await consolePeer();
    // A duty desk that never opened the fleet page gets no readings, only terminal.status.
    const desk = await consolePeer(false);
    const t = await RawPeer.open(`${wsBase}/ws/terminal`);
    await signedHello(t, 1, 'XC-SCH-001', keys.get('XC-SCH-001')!);
    // a kiosk from before health reports still validates
    expect((await t.request(2, 'heartbeat', { seq: 0, uptimeS: 1 }))['ok']).toBe(true);
    expect((await t.request(3, 'heartbeat', { seq: 1, uptimeS: 2, health: health() }))['ok']).toBe(true);
    await c.until(() => fleetEvents(c, 'XC-SCH-001').find((e) => e.health?.cpuTempC === 48.5));
    expect(fleetEvents(desk, 'XC-SCH-001')).toEqual([]);
    expect(desk.frames.some((f) => f['type'] === 'terminal.status')).toBe(true);
    desk.close();
    // bad reports: unknown field, wrong type, out of range, CSQ 99 must come as null
    const bad = [
      { ...health(), fanRpm: 3000 },
      health({ cpuTempC: 'hot' as unknown as number }),
      health({ cpuTempC: 900 }),
      health({ lte: { present: true, rssiDbm: -51, csq: 99, registration: 'home', operator: null } }),
      health({ lte: { present: true, rssiDbm: null, csq: null, registration: 'lost' as 'home', operator: null } }),
    ];
    for (const [i, h] of bad.entries()) expect(errorCode(await t.request(10 + i, 'heartbeat', { seq: 2, uptimeS: 3, health: h }))).toBe('bad_message');
    const entry = relay.relay.fleet.entry('XC-SCH-001');
    expect(entry.health?.cpuTempC).toBe(48.5);
    expect(entry.online).toBe(true);
    // stored in SQLite
    const res = await fetch(`${relay.url}/api/fleet/XC-SCH-001/history?hours=1`, { headers: { cookie } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { points: { cpuTempC: number; rssiDbm: number; rttMs: number }[] };
    expect(body.points).toEqual([expect.objectContaining({ cpuTempC: 48.5, rssiDbm: -75, rttMs: 35 })]);
    t.close();
    c.close();
  });

  it('a terminal that stops heartbeating goes offline after 3 missed heartbeats, and its return is seen', async () => {
    const c = await consolePeer();
    const t = await RawPeer.open(`${wsBase}/ws/terminal`);
    await signedHello(t, 1, 'XC-HT-003', keys.get('XC-HT-003')!);
    const lastBeat = Date.now();
    await t.request(2, 'heartbeat', { seq: 0, uptimeS: 1, health: health() });
    // then silence (the socket stays open and answers pings: only heartbeats stop)
    await c.until(() => fleetEvents(c, 'XC-HT-003').find((e) => !e.online), 5000);
    const silentMs = Date.now() - lastBeat;
    expect(silentMs).toBeGreaterThanOrEqual(3 * HEARTBEAT_MS - 50);
    expect(silentMs).toBeLessThan(3 * HEARTBEAT_MS + 1000);
    expect((await t.waitClosed()).code).toBe(4010);
    expect(relay.relay.fleet.entry('XC-HT-003')).toMatchObject({ online: false, health: expect.objectContaining({ cpuTempC: 48.5 }) });
    const back = await RawPeer.open(`${wsBase}/ws/terminal`);
    await signedHello(back, 1, 'XC-HT-003', keys.get('XC-HT-003')!);
    await c.until(() => fleetEvents(c, 'XC-HT-003').at(-1)?.online === true);
    back.close();
    c.close();
  });

  it('raises and clears a tamper alarm to consoles, keeps self-tests, and refuses bad ones', async () => {
    const c = await consolePeer();
    const t = await RawPeer.open(`${wsBase}/ws/terminal`);
    await signedHello(t, 1, 'XC-KG-002', keys.get('XC-KG-002')!);
    expect((await t.request(2, 'alarm', { kind: 'tamper', active: true }))['ok']).toBe(true);
    await c.until(() => fleetEvents(c, 'XC-KG-002').find((e) => e.alarm?.active));
    expect(errorCode(await t.request(3, 'alarm', { kind: 'fire', active: true }))).toBe('bad_message');
    expect(errorCode(await t.request(4, 'alarm', { kind: 'tamper' }))).toBe('bad_message');
    const report = {
      startedAt: Date.now() - 5000,
      finishedAt: Date.now(),
      trigger: 'nightly',
      passed: false,
      lines: [
        { check: 'speaker-mic', status: 'fail', detail: 'test tone not heard at -30, -20, -10 dBFS', ms: 2400 },
        { check: 'camera', status: 'pass', detail: 'picture moving', ms: 900 },
      ],
    };
    expect((await t.request(5, 'selftest.report', { report }))['ok']).toBe(true);
    expect(errorCode(await t.request(6, 'selftest.report', { report: { ...report, lines: [] } }))).toBe('bad_message');
    expect(errorCode(await t.request(7, 'selftest.report', { report: { ...report, trigger: 'whenever' } }))).toBe('bad_message');
    expect(errorCode(await t.request(8, 'selftest.report', { report: { ...report, lines: [{ check: 'DROP TABLE', status: 'pass', detail: '', ms: 0 }] } }))).toBe('bad_message');
    await c.until(() => fleetEvents(c, 'XC-KG-002').find((e) => e.lastSelfTest?.passed === false));
    expect((await t.request(9, 'alarm', { kind: 'tamper', active: false }))['ok']).toBe(true);
    await c.until(() => fleetEvents(c, 'XC-KG-002').at(-1)?.alarm?.active === false);
    const fleet = (await (await fetch(`${relay.url}/api/fleet`, { headers: { cookie } })).json()) as { entries: { terminalId: string; lastSelfTest: unknown }[] };
    expect(fleet.entries.find((e) => e.terminalId === 'XC-KG-002')?.lastSelfTest).toEqual(report);
    t.close();
    c.close();
  });

  it('the fleet API needs a session and checks its parameters', async () => {
    expect((await fetch(`${relay.url}/api/fleet`)).status).toBe(401);
    expect((await fetch(`${relay.url}/api/fleet/XC-SCH-001/history`)).status).toBe(401);
    const bad = await fetch(`${relay.url}/api/fleet/XC-SCH-001/history?hours=99999`, { headers: { cookie } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('bad_request');
    expect((await fetch(`${relay.url}/api/fleet/x;drop/history`, { headers: { cookie } })).status).toBe(400);
    const unknown = await fetch(`${relay.url}/api/fleet/XC-NOPE-1/history`, { headers: { cookie } });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('unknown_terminal');
  });

  it('field staff cannot answer calls', async () => {
    const t = await RawPeer.open(`${wsBase}/ws/terminal`);
    await signedHello(t, 1, 'XC-SCH-001', keys.get('XC-SCH-001')!);
    const call = (await t.request(2, 'help.request', { requestId: 'field-cannot-answer' }))['data'] as { callId: string };
    const c = await consolePeer();
    expect(errorCode(await c.request(2, 'call.answer', { callId: call.callId }))).toBe('forbidden');
    t.close();
    await c.until(() => relay.relay.repos.calls.get(call.callId)?.state === 'ended');
    c.close();
  });

  it('serves Prometheus metrics that parse, and a health check', async () => {
    const res = await fetch(`${relay.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const m = parsePrometheus(await res.text());
    expect(m.get('helppoint_terminals')?.type).toBe('gauge');
    const online = sampleValue(m, 'helppoint_terminals', 'helppoint_terminals', { state: 'online' })!;
    const offline = sampleValue(m, 'helppoint_terminals', 'helppoint_terminals', { state: 'offline' })!;
    expect(online + offline).toBe(relay.relay.repos.terminals.count());
    expect(online).toBe(relay.relay.presence.size);
    // the call from the previous test ended when its terminal left
    expect(sampleValue(m, 'helppoint_calls_total', 'helppoint_calls_total', { outcome: 'terminal_lost' })).toBeGreaterThanOrEqual(1);
    expect(m.get('helppoint_call_setup_seconds')?.type).toBe('histogram');
    expect(sampleValue(m, 'helppoint_heartbeat_lag_seconds', 'helppoint_heartbeat_lag_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(sampleValue(m, 'helppoint_mediasoup_worker_up', 'helppoint_mediasoup_worker_up', { worker: '0' })).toBe(1);
    expect(sampleValue(m, 'helppoint_mediasoup_worker_cpu_seconds_total', 'helppoint_mediasoup_worker_cpu_seconds_total', { worker: '0' })).toBeGreaterThan(0);
    expect(sampleValue(m, 'helppoint_mediasoup_worker_max_rss_bytes', 'helppoint_mediasoup_worker_max_rss_bytes', { worker: '0' })).toBeGreaterThan(1_000_000);

    const hz = await fetch(`${relay.url}/healthz`);
    expect(hz.status).toBe(200);
    expect(await hz.json()).toMatchObject({ ok: true, db: 'writable', workers: 1, workersAlive: 1 });
  });
});
