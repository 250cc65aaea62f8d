import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { DeviceKey } from '../../kiosk/src/enrol/deviceKey.ts';
import type { DistrictSnapshot } from '../../shared/src/protocol/district.ts';
import { CALLS_STREAM, PRESENCE_BUCKET, commandSubject, inboxPrefix } from '../../shared/src/protocol/districtSubjects.ts';
import { DistrictTokenSigner } from '../../relay/src/district/DistrictTokens.ts';
import { RawPeer } from '../support/relayHarness.ts';
import { enrolTerminals, signedHello } from '../support/terminalKeys.ts';
import { signIn } from '../support/station.ts';
import { TcpGate } from '../support/tcpGate.ts';
import { districtKeys, startDistrictRelay, startDistrictWorld, startStationRelay, until, type DistrictWorld } from '../support/district.ts';

/**
 * District federation over a real 3-node NATS cluster (JetStream R3, TLS with
 * a throwaway CA, a NATS user per station): two station relays and a district
 * relay in this process, terminals as raw signed sockets, officers through
 * the API and console sockets as a user would act.
 *
 * Station B reaches NATS only through TcpGates, so the test can cut it off.
 * The outage is 2 minutes; HELPPOINT_TEST_CUTOFF_MS sets it (default
 * 9 s: longer than the presence TTL, so the district does see B go silent,
 * and short enough for CI; `HELPPOINT_TEST_CUTOFF_MS=120000` runs the full one).
 */
const CUTOFF_MS = Number(process.env['HELPPOINT_TEST_CUTOFF_MS'] ?? 9000);
const ESCALATE_MS = 1500;

type Started = Awaited<ReturnType<typeof startStationRelay>>;
let world: DistrictWorld;
let district: Awaited<ReturnType<typeof startDistrictRelay>>;
let stationA: Started;
let stationB: Started;
let gates: TcpGate[];
let keysA: Map<string, DeviceKey>;
let keysB: Map<string, DeviceKey>;
let districtCookie: string;

beforeAll(async () => {
  world = await startDistrictWorld(['a', 'b']);
  district = await startDistrictRelay(world, { escalateAfterMs: ESCALATE_MS });
  gates = await Promise.all(world.nats.ports.map((port) => TcpGate.start({ host: '127.0.0.1', port })));
  stationA = await startStationRelay(world, 'a', undefined, { escalateAfterMs: 60_000, ringTimeoutMs: 120_000 });
  // B's second outage call must still ring, unescalated, when the link returns: B's timers outlast the outage.
  stationB = await startStationRelay(world, 'b', gates.map((g) => `tls://localhost:${g.port}`), { escalateAfterMs: Math.max(60_000, CUTOFF_MS + 30_000), ringTimeoutMs: Math.max(120_000, CUTOFF_MS + 60_000) });
  keysA = enrolTerminals(stationA.relay, ['XC-HT-003']);
  keysB = enrolTerminals(stationB.relay, ['XC-KG-005', 'XC-HT-006']);
  districtCookie = await signIn(district.url, 'officer1', 'demo-officer1');
}, 120_000);

afterAll(async () => {
  await stationA?.close();
  await stationB?.close();
  await district?.close();
  await Promise.all((gates ?? []).map((g) => g.close()));
  await world?.close();
});

async function terminal(station: Started, keys: Map<string, DeviceKey>, id: string): Promise<RawPeer> {
  const peer = await RawPeer.open(`${station.url.replace('http', 'ws')}/ws/terminal`);
  expect((await signedHello(peer, 1, id, keys.get(id)!))['ok']).toBe(true);
  return peer;
}

let seq = 100;
async function press(peer: RawPeer): Promise<string> {
  const r = await peer.request(++seq, 'help.request', { requestId: `req-${seq}-${Date.now()}` });
  expect(r['ok']).toBe(true);
  return (r['data'] as { callId: string }).callId;
}

async function stationConsole(station: Started): Promise<RawPeer> {
  const cookie = await signIn(station.url, 'officer2', 'demo-officer2');
  const c = await RawPeer.open(`${station.url.replace('http', 'ws')}/ws/console`, { cookie });
  expect((await c.request(1, 'hello', {}))['ok']).toBe(true);
  return c;
}

const callStates = (c: RawPeer, callId: string) =>
  c.frames.filter((f) => f['type'] === 'call.updated').map((f) => (f['data'] as { call: { id: string; state: string; answeredBy: { displayName: string } | null } }).call).filter((v) => v.id === callId);

async function districtState(): Promise<DistrictSnapshot> {
  const res = await fetch(`${district.url}/api/district/state`, { headers: { cookie: districtCookie } });
  expect(res.status).toBe(200);
  return (await res.json()) as DistrictSnapshot;
}

async function districtPost(path: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${district.url}${path}`, { method: 'POST', headers: { cookie: districtCookie } });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const counts = (station: string, callId: string) => district.relay.federation.district!.eventCounts(station, callId);

describe('district federation on a 3-node JetStream cluster', () => {
  it('the district map shows every station\'s terminals with their state', async () => {
    const t = await terminal(stationB, keysB, 'XC-KG-005');
    const snap = await until('both stations on the district map', async () => {
      const s = await districtState();
      const b = s.terminals.find((x) => x.key === 'b.XC-KG-005');
      return s.terminals.some((x) => x.station === 'a') && b?.status === 'online' ? s : null;
    });
    // Each station's terminals are its own entries, with the location record.
    expect(snap.terminals.find((x) => x.key === 'b.XC-KG-005')!.terminal.address).toMatch(/胡同/);
    expect(snap.terminals.find((x) => x.key === 'a.XC-KG-005')!.status).toBe('offline');
    expect(snap.stations.map((s) => s.station).sort()).toEqual(['a', 'b']);
    t.ws.close();
    await until('B terminal offline at the district', async () => (await districtState()).terminals.find((x) => x.key === 'b.XC-KG-005')?.status === 'offline');
  });

  it('a press at B rings B, then (unanswered) the district; the district officer answers through B\'s answer race', async () => {
    const desk = await stationConsole(stationB);
    const t = await terminal(stationB, keysB, 'XC-KG-005');
    const pressedAt = Date.now();
    const callId = await press(t);
    await desk.until(() => callStates(desk, callId).some((c) => c.state === 'ringing'));
    const seen = await until('the call at the district', async () => (await districtState()).calls.find((c) => c.callId === callId));
    expect(seen.station).toBe('b');
    expect(seen.districtRinging).toBe(false);
    const ringing = await until('the district desk ringing', async () => (await districtState()).calls.find((c) => c.callId === callId && c.districtRinging), ESCALATE_MS + 10_000);
    expect(Date.now() - pressedAt).toBeGreaterThanOrEqual(ESCALATE_MS - 50);
    expect((await districtState()).terminals.find((x) => x.key === 'b.XC-KG-005')?.status).toBe('ringing');

    const answered = await districtPost(`/api/district/calls/b/${ringing.callId}/answer`);
    expect(answered.status).toBe(200);
    const media = answered.json['media'] as { consoleUrl: string; callId: string };
    expect(media.consoleUrl).toContain(`${stationB.url.replace('http', 'ws')}/ws/console?ticket=`);
    // The station's own console sees the call taken by the district officer; a local answer now loses the race.
    await desk.until(() => callStates(desk, callId).find((c) => c.state === 'answered' && c.answeredBy?.displayName.includes('分局')));
    const late = await desk.request(2, 'call.answer', { callId });
    expect((late['error'] as { code: string }).code).toBe('call_already_answered');
    // A second district answer is refused by the station too.
    expect((await districtPost(`/api/district/calls/b/${callId}/answer`)).json).toMatchObject({ error: { code: 'call_already_answered' } });
    // The ticket is a console session at B for the district officer's station account.
    const viaTicket = await RawPeer.open(media.consoleUrl);
    const hello = await viaTicket.request(1, 'hello', {});
    expect((hello['data'] as { user: { username: string } }).user.username).toBe('district.officer1');
    viaTicket.ws.close();
    // B's audit log has what the district officer did, as them.
    const audit = stationB.relay.trust.audit.list({ limit: 50 });
    expect(audit.find((e) => e.action === 'district.answer' && e.target === callId && e.outcome === 'ok')?.actor).toBe('district:officer1');
    expect(audit.find((e) => e.action === 'district.answer' && e.target === callId && e.outcome === 'refused')).toBeTruthy();
    await until('answered at the district', async () => (await districtState()).calls.find((c) => c.callId === callId)?.state === 'answered');
    // B's supervisor sends a responder: the district's call shows someone is on the way.
    const responder = stationB.relay.repos.users.getByUsername('responder1')!;
    stationB.relay.dispatch.setDuty(responder.id, true);
    const supervisor = stationB.relay.repos.users.getByUsername('supervisor')!; // the call is the district officer's: B's supervisor may dispatch to it
    stationB.relay.dispatch.dispatch(callId, [responder.id], { id: supervisor.id, username: supervisor.username, displayName: supervisor.displayName, role: supervisor.role });
    await until('dispatched at the district', async () => (await districtState()).calls.find((c) => c.callId === callId)?.dispatched);
    expect((await districtPost(`/api/district/calls/b/${callId}/hangup`)).status).toBe(200);
    await until('ended at the district', async () => !(await districtState()).calls.some((c) => c.callId === callId));
    expect(counts('b', callId)).toEqual({ created: 1, ringing: 1, escalated: undefined, answered: 1, dispatched: 1, ended: 1 });
    t.ws.close();
    desk.ws.close();
  });

  it('one NATS node killed mid-way changes nothing', async () => {
    const t = await terminal(stationA, keysA, 'XC-HT-003');
    const callId = await press(t);
    await until('call at the district', async () => (await districtState()).calls.find((c) => c.callId === callId));
    await world.nats.killNode(0);
    try {
      await until('the district desk ringing with a node down', async () => (await districtState()).calls.find((c) => c.callId === callId && c.districtRinging), 40_000);
      expect((await districtPost(`/api/district/calls/a/${callId}/answer`)).status).toBe(200);
      t.ws.close(); // the terminal goes away: the call ends as terminal_lost
      await until('ended at the district with a node down', async () => !(await districtState()).calls.some((c) => c.callId === callId), 40_000);
      // Presence keeps flowing too.
      await until('A terminal offline with a node down', async () => (await districtState()).terminals.find((x) => x.key === 'a.XC-HT-003')?.status === 'offline', 40_000);
    } finally {
      await world.nats.startNode(0);
    }
    expect(counts('a', callId)).toMatchObject({ created: 1, answered: 1, ended: 1 });
  }, 150_000);

  it(`station B cut off from NATS for ${CUTOFF_MS} ms rings and answers locally; afterwards the district gets each call once`, async () => {
    const desk = await stationConsole(stationB);
    const t = await terminal(stationB, keysB, 'XC-HT-006');
    // A real terminal heartbeats: without it the relay drops the socket after 30 s (three missed), which a
    // 2-minute outage would otherwise turn into terminal_lost.
    let beat = 0;
    const heartbeats = setInterval(() => void t.request(5000 + beat, 'heartbeat', { seq: beat++, uptimeS: beat }).catch(() => undefined), 5000);
    await until('B terminal online at the district', async () => (await districtState()).terminals.find((x) => x.key === 'b.XC-HT-006')?.status === 'online');
    for (const g of gates) g.cut();
    const cutAt = Date.now();
    const calls: string[] = [];
    // Two calls during the outage: one answered and hung up by B's officer, one still ringing when the link returns.
    const first = await press(t);
    calls.push(first);
    await desk.until(() => callStates(desk, first).some((c) => c.state === 'ringing'));
    expect((await desk.request(2, 'call.answer', { callId: first }))['ok']).toBe(true);
    expect((await desk.request(3, 'call.hangup', { callId: first }))['ok']).toBe(true);
    const second = await press(t);
    calls.push(second);
    await desk.until(() => callStates(desk, second).some((c) => c.state === 'ringing'));
    expect(stationB.relay.federation.bridge!.pendingEvents).toBeGreaterThan(0);
    // The district sees B go silent once its presence entries are past their TTL.
    await until('B terminals stale at the district', async () => (await districtState()).terminals.find((x) => x.key === 'b.XC-HT-006')?.stale, 20_000);
    expect((await districtState()).calls.some((c) => calls.includes(c.callId))).toBe(false);
    const left = CUTOFF_MS - (Date.now() - cutAt);
    if (left > 0) await new Promise((r) => setTimeout(r, left));
    for (const g of gates) g.restore();
    await until('B back at the district', async () => (await districtState()).terminals.find((x) => x.key === 'b.XC-HT-006')?.stale === false, 30_000);
    await until('outbox drained', () => stationB.relay.federation.bridge!.pendingEvents === 0, 30_000);
    const snap = await until('the still-ringing call at the district, ringing its desk', async () => (await districtState()).calls.find((c) => c.callId === second && c.districtRinging), 20_000);
    expect(snap.station).toBe('b');
    expect((await districtState()).calls.filter((c) => c.callId === second)).toHaveLength(1);
    expect(counts('b', first)).toEqual({ created: 1, ringing: 1, answered: 1, ended: 1 });
    expect(counts('b', second)).toEqual({ created: 1, ringing: 1 });
    // Each event once in the stream itself too (JetStream dedup by Nats-Msg-Id).
    const nc = await connect({ servers: world.nats.urls, user: 'district', pass: 'district-secret', tls: { caFile: world.caFile }, inboxPrefix: inboxPrefix('district') });
    try {
      const jsm = await jetstreamManager(nc);
      const oc = await jetstream(nc).consumers.get(CALLS_STREAM, { filter_subjects: 'hp.calls.b.>' });
      const ids: string[] = [];
      for await (const m of await oc.fetch({ max_messages: 1000, expires: 3000 })) ids.push(m.json<{ id: string }>().id);
      for (const id of calls) {
        const mine = ids.filter((x) => x.startsWith(`${id}:`));
        expect(new Set(mine).size).toBe(mine.length);
        expect(mine.length).toBeGreaterThanOrEqual(2);
      }
      const info = await jsm.streams.info(CALLS_STREAM);
      expect(info.config.num_replicas).toBe(3);
    } finally {
      await nc.close();
    }
    clearInterval(heartbeats);
    t.ws.close();
    desk.ws.close();
  }, CUTOFF_MS + 120_000);

  it('a station may publish only its own subjects; forged or misdirected district tokens are refused and audited', async () => {
    const asA = await connect({ servers: world.nats.urls, user: 'station-a', pass: 'secret-a', tls: { caFile: world.caFile }, inboxPrefix: inboxPrefix('a') });
    const errors: string[] = [];
    void (async () => {
      for await (const s of asA.status()) if (s.type === 'error') errors.push(String(s.error));
    })();
    try {
      const js = jetstream(asA, { timeout: 2000 });
      await expect(js.publish('hp.calls.b.created', JSON.stringify({ forged: true }), { msgID: 'forged-1' })).rejects.toThrow();
      const kv = await new Kvm(js).open(PRESENCE_BUCKET);
      await expect(kv.put('b.XC-KG-005', JSON.stringify({ forged: true }))).rejects.toThrow();
      // Its own subjects work.
      await expect(kv.put('a.XC-SCH-001', JSON.stringify({ v: 0 }))).resolves.toBeGreaterThan(0);
      await until('permission violations reported', () => errors.filter((e) => /Permissions Violation/i.test(e)).length >= 2);
      expect(errors.join('\n')).toMatch(/hp\.calls\.b\.created/);
      // Station A cannot take B's commands either.
      asA.subscribe(commandSubject('b', 'answer'));
      await until('subscribe violation reported', () => errors.some((e) => /Subscription to "hp\.cmd\.b\.answer"/i.test(e) || /hp\.cmd\.b/.test(e)));
    } finally {
      await asA.close();
    }
    // The district never received the forged event.
    expect((await districtState()).calls.some((c) => c.station === 'b' && (c as { forged?: boolean }).forged)).toBe(false);

    // A token signed by someone else, and one made for station A, are both refused by B and audited there.
    const asDistrict = await connect({ servers: world.nats.urls, user: 'district', pass: 'district-secret', tls: { caFile: world.caFile }, inboxPrefix: inboxPrefix('district') });
    try {
      const forger = new DistrictTokenSigner({ privateKeyPem: districtKeys().privateKeyPem, issuer: 'district', ttlMs: 60_000 });
      const real = new DistrictTokenSigner({ privateKeyPem: world.keys.privateKeyPem, issuer: 'district', ttlMs: 60_000 });
      const ask = async (token: string) =>
        (await asDistrict.request(commandSubject('b', 'lookin'), JSON.stringify({ token, terminalId: 'XC-KG-005' }), { timeout: 5000 })).json<{ ok: boolean; error?: { code: string } }>();
      expect(await ask(forger.sign({ username: 'mallory', displayName: 'M' }, 'b', ['camera.lookin']))).toMatchObject({ ok: false, error: { code: 'district_token_invalid' } });
      expect(await ask(real.sign({ username: 'officer1', displayName: 'O' }, 'a', ['camera.lookin']))).toMatchObject({ ok: false, error: { code: 'district_token_invalid' } });
      expect(await ask(real.sign({ username: 'officer1', displayName: 'O' }, 'b', ['calls.answer']))).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      expect(await ask('not.a.token.at.all')).toMatchObject({ ok: false, error: { code: 'district_token_invalid' } });
      const bad = (await asDistrict.request(commandSubject('b', 'answer'), '{"callId":', { timeout: 5000 })).json<{ ok: boolean; error?: { code: string } }>();
      expect(bad).toMatchObject({ ok: false, error: { code: 'bad_json' } });
    } finally {
      await asDistrict.close();
    }
    const refused = stationB.relay.trust.audit.list({ limit: 100 }).filter((e) => e.action === 'district.lookin' && e.outcome === 'refused');
    expect(refused.length).toBeGreaterThanOrEqual(4);
    expect(refused.map((e) => e.actor)).toContain('district:unverified');
  });
});
