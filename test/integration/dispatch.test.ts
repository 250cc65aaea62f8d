import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceKey } from '../../kiosk/src/enrol/deviceKey.ts';
import { DEMO_ALLEY_NETWORK, defaultConfig } from '../../relay/src/config.ts';
import { RawPeer, startTestRelay } from '../support/relayHarness.ts';
import { signIn as signInAt } from '../support/station.ts';
import { enrolTerminals, signedHello } from '../support/terminalKeys.ts';

/**
 * Dispatch on the relay with raw sockets and HTTP (media is the end-to-end
 * test's): ranking, assignment, the terminal's prompt, every job status as the
 * desk and the phone see it, escalation, refusals with their codes, the
 * timeline and the report's durations.
 */
let relay: Awaited<ReturnType<typeof startTestRelay>>;
let wsBase: string;
let keys: Map<string, DeviceKey>;
const cookies: Record<string, string> = {};
let seq = 100;

const ESCALATE_MS = 1_500;
const AFTER_END_MS = 1_200;

beforeAll(async () => {
  relay = await startTestRelay({
    recordCalls: false,
    dispatch: { ...defaultConfig().dispatch, alleyNetworkFile: DEMO_ALLEY_NETWORK, escalateAfterMs: ESCALATE_MS, dispatchAfterEndMs: AFTER_END_MS, positionMinIntervalMs: 300, maxSpeedKmh: 100_000 },
  });
  wsBase = relay.url.replace('http', 'ws');
  keys = enrolTerminals(relay.relay, ['XC-SCH-001']);
  for (const [u, p] of [['officer1', 'demo-officer1'], ['officer2', 'demo-officer2'], ['supervisor', 'demo-supervisor'], ['responder1', 'demo-responder1'], ['responder2', 'demo-responder2']]) {
    cookies[u!] = await signInAt(relay.url, u!, p!);
  }
});
afterAll(async () => {
  await relay?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function api(who: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${relay.url}${path}`, { method, headers: { cookie: cookies[who]!, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? null : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}
const code = (r: { json: Record<string, unknown> }) => (r.json['error'] as { code?: string } | undefined)?.code;
const wsCode = (r: Record<string, unknown>) => (r['error'] as { code?: string } | undefined)?.code;
async function socket(path: string, who: string): Promise<{ peer: RawPeer; hello: Record<string, unknown> }> {
  const peer = await RawPeer.open(`${wsBase}${path}`, { cookie: cookies[who]! });
  return { peer, hello: await peer.request(++seq, 'hello', {}) };
}
async function position(who: string, latitude: number, longitude: number) {
  await sleep(320);
  return api(who, 'POST', '/api/responder/position', { latitude, longitude, accuracyM: 8 });
}
const idOf = async (username: string) => relay.relay.repos.users.getByUsername(username)!.id;
type Dispatch = { id: number; status: string; escalatedAt: number | null; dispatchedAt: number; onSceneAt: number | null; responder: { id: number } };
const deskUpdates = (p: RawPeer) => p.frames.filter((f) => f['type'] === 'dispatch.updated').map((f) => (f['data'] as { dispatch: Dispatch }).dispatch);

describe('dispatch', () => {
  let callId = '';
  let term: RawPeer;
  let desk: RawPeer;
  let phone2: RawPeer;
  let job2: Dispatch;
  let job1: Dispatch;

  it('a help call is answered; responders go on duty and report positions; impossible ones are refused', async () => {
    term = await RawPeer.open(`${wsBase}/ws/terminal`);
    expect((await signedHello(term, 1, 'XC-SCH-001', keys.get('XC-SCH-001')!))['ok']).toBe(true);
    const press = await term.request(2, 'help.request', { requestId: `req-dispatch-${Date.now()}` });
    callId = (press['data'] as { callId: string }).callId;
    const officer = await socket('/ws/console', 'officer1');
    expect((await officer.peer.request(++seq, 'call.answer', { callId }))['ok']).toBe(true);

    expect(code(await api('responder1', 'POST', '/api/responder/position', { latitude: 39.94, longitude: 116.38 }))).toBe('responder_off_duty');
    expect((await api('responder1', 'POST', '/api/responder/duty', { onDuty: true })).status).toBe(200);
    expect((await api('responder2', 'POST', '/api/responder/duty', { onDuty: true })).status).toBe(200);
    expect(code(await api('responder1', 'POST', '/api/responder/position', { latitude: 91, longitude: 116.38 }))).toBe('bad_coordinates');
    expect(code(await api('responder1', 'POST', '/api/responder/position', { latitude: 0, longitude: 0 }))).toBe('bad_coordinates');
    expect(code(await api('responder1', 'POST', '/api/responder/position', { latitude: '39.9', longitude: 116.38 }))).toBe('bad_request');
    // responder1 on Houhai's north bank, ~500 m round the lake from the school at Yinding bridge
    expect((await position('responder1', 39.9426, 116.3864)).status).toBe(200);
    expect(code(await api('responder1', 'POST', '/api/responder/position', { latitude: 39.9426, longitude: 116.3864 }))).toBe('position_too_frequent');
    // responder2 just south of the bridge
    expect((await position('responder2', 39.9386, 116.3890)).status).toBe(200);
  });

  it('the desk sees on-duty responders nearest first along the alleys, and the view is audited', async () => {
    const r = await api('officer1', 'GET', `/api/calls/${callId}/dispatch-candidates`);
    expect(r.status).toBe(200);
    const list = r.json['candidates'] as { responder: { username: string; status: string }; distanceM: number; method: string; positionAgeMs: number }[];
    expect(list.map((c) => c.responder.username)).toEqual(['responder2', 'responder1']);
    expect(list.every((c) => c.method === 'network' && c.positionAgeMs >= 0 && c.positionAgeMs < 10_000)).toBe(true);
    expect(list[0]!.distanceM).toBeLessThan(list[1]!.distanceM);
    const audit = relay.relay.trust.audit.list({ limit: 50 }).find((a) => a.action === 'responder.positions.view' && a.actor === 'user:officer1');
    expect(audit?.detail).toMatchObject({ callId });
  });

  it('refuses with stable codes: responders on desk routes, a foreign call, an unknown call, an off-duty unit', async () => {
    expect(code(await api('responder1', 'GET', '/api/calls'))).toBe('forbidden');
    expect(code(await api('responder1', 'GET', `/api/calls/${callId}/dispatch-candidates`))).toBe('forbidden');
    expect(code(await api('responder1', 'POST', `/api/calls/${callId}/dispatches`, { responderIds: [await idOf('responder1')] }))).toBe('forbidden');
    expect(code(await api('responder1', 'GET', '/api/reports/response-times'))).toBe('forbidden');
    expect(code(await api('responder1', 'GET', '/api/terminals'))).toBe('forbidden');
    expect(wsCode((await socket('/ws/console', 'responder1')).hello)).toBe('forbidden');
    expect(wsCode((await socket('/ws/dispatch', 'responder1')).hello)).toBe('forbidden');
    expect(code(await api('officer1', 'GET', '/api/responder/me'))).toBe('forbidden');
    // officer2 did not take this call
    expect(code(await api('officer2', 'POST', `/api/calls/${callId}/dispatches`, { responderIds: [await idOf('responder2')] }))).toBe('not_your_call');
    expect(code(await api('officer1', 'POST', '/api/calls/no-such-call/dispatches', { responderIds: [await idOf('responder2')] }))).toBe('call_not_found');
    expect(code(await api('officer1', 'POST', `/api/calls/${callId}/dispatches`, { responderIds: [await idOf('officer2')] }))).toBe('responder_not_found');
    expect(code(await api('officer1', 'POST', `/api/calls/${callId}/dispatches`, { responderIds: [] }))).toBe('bad_request');
    expect(relay.relay.trust.audit.list({ limit: 50 }).some((a) => a.action === 'call.dispatch' && a.outcome === 'refused' && a.actor === 'user:officer2')).toBe(true);
  });

  it('one click assigns the nearest: the terminal says help is coming, the phone rings with the right terminal, the desk sees it', async () => {
    desk = (await socket('/ws/dispatch', 'officer1')).peer;
    const phone = await socket('/ws/responder', 'responder2');
    phone2 = phone.peer;
    expect(phone.hello['ok']).toBe(true);
    const r = await api('officer1', 'POST', `/api/calls/${callId}/dispatches`, { responderIds: [await idOf('responder2')] });
    expect(r.status).toBe(201);
    job2 = (r.json['dispatches'] as Dispatch[])[0]!;
    expect(job2.status).toBe('assigned');
    const said = await term.until(() => term.frames.find((f) => f['type'] === 'call.helpDispatched'));
    expect(said['data']).toEqual({ callId });
    const offered = await phone2.until(() => phone2.frames.find((f) => f['type'] === 'job.updated'));
    const job = (offered['data'] as { job: { dispatch: Dispatch; terminal: { id: string; address: string; notes: string }; call: { id: string } } }).job;
    expect(job.terminal.id).toBe('XC-SCH-001');
    expect(job.terminal.address).toContain('前海北沿');
    expect(job.call.id).toBe(callId);
    await desk.until(() => deskUpdates(desk).find((d) => d.id === job2.id && d.status === 'assigned'));
    // the same unit twice on one call
    expect(code(await api('officer1', 'POST', `/api/calls/${callId}/dispatches`, { responderIds: [await idOf('responder2')] }))).toBe('already_dispatched');
    // accepted at once: this one never escalates
    expect((await api('responder2', 'POST', `/api/responder/jobs/${job2.id}/status`, { status: 'accepted' })).status).toBe(200);
    await desk.until(() => deskUpdates(desk).find((d) => d.id === job2.id && d.status === 'accepted'));
  });

  it('a second unit that does not accept in time escalates on the desk; refusing needs a reason', async () => {
    const r = await api('officer1', 'POST', `/api/calls/${callId}/dispatches`, { responderIds: [await idOf('responder1')] });
    job1 = (r.json['dispatches'] as Dispatch[])[0]!;
    const escalated = await desk.until(() => deskUpdates(desk).find((d) => d.id === job1.id && d.escalatedAt !== null), ESCALATE_MS + 5_000);
    expect(escalated.escalatedAt! - job1.dispatchedAt).toBeGreaterThanOrEqual(ESCALATE_MS - 50);
    expect(deskUpdates(desk).find((d) => d.id === job2.id && d.escalatedAt !== null)).toBeUndefined();
    // responder1 acting on responder2's job
    expect(code(await api('responder1', 'POST', `/api/responder/jobs/${job2.id}/status`, { status: 'en_route' }))).toBe('not_your_job');
    expect(code(await api('responder1', 'POST', `/api/responder/jobs/${job1.id}/status`, { status: 'on_scene' }))).toBe('bad_transition');
    expect(code(await api('responder1', 'POST', `/api/responder/jobs/${job1.id}/status`, { status: 'refused' }))).toBe('bad_request');
    expect(code(await api('responder1', 'POST', `/api/responder/jobs/999999/status`, { status: 'accepted' }))).toBe('dispatch_not_found');
    expect((await api('responder1', 'POST', `/api/responder/jobs/${job1.id}/status`, { status: 'refused', reason: '正在处理其他警情' })).status).toBe(200);
    await desk.until(() => deskUpdates(desk).find((d) => d.id === job1.id && d.status === 'refused'));
  });

  it('the responder accepts, moves, is on scene and done: the desk sees each step and the map moves', async () => {
    expect(code(await api('responder2', 'POST', '/api/responder/duty', { onDuty: false }))).toBe('responder_busy');
    for (const status of ['en_route'] as const) {
      expect((await api('responder2', 'POST', `/api/responder/jobs/${job2.id}/status`, { status })).status).toBe(200);
      await desk.until(() => deskUpdates(desk).find((d) => d.id === job2.id && d.status === status));
    }
    expect((await position('responder2', 39.9375, 116.3885)).status).toBe(200);
    const moved = await desk.until(() =>
      desk.frames.find((f) => f['type'] === 'responder.updated' && (f['data'] as { responder: { username: string; position: { latitude: number } | null } }).responder.position?.latitude === 39.9375),
    );
    expect(moved).toBeTruthy();
    await sleep(400);
    expect((await api('responder2', 'POST', `/api/responder/jobs/${job2.id}/status`, { status: 'on_scene' })).status).toBe(200);
    const done = await api('responder2', 'POST', `/api/responder/jobs/${job2.id}/status`, { status: 'done', note: '老人摔倒，已送医' });
    expect(done.status).toBe(200);
    const final = await desk.until(() => deskUpdates(desk).find((d) => d.id === job2.id && d.status === 'done'));
    expect(final).toMatchObject({ note: '老人摔倒，已送医' });
    expect(code(await api('responder2', 'POST', `/api/responder/jobs/${job2.id}/status`, { status: 'done' }))).toBe('bad_transition');
  });

  it('the call timeline holds press, answer, dispatch, accept, on scene, done; the report measures them', async () => {
    const detail = await api('officer1', 'GET', `/api/calls/${callId}`);
    const events = (detail.json['events'] as { type: string; at: number }[]).map((e) => e.type);
    for (const t of ['answered', 'dispatched', 'dispatch_escalated', 'dispatch_refused', 'dispatch_accepted', 'dispatch_en_route', 'dispatch_on_scene', 'dispatch_done']) expect(events).toContain(t);
    const call = detail.json['call'] as { createdAt: number; answeredAt: number };
    const jobs = (await api('officer1', 'GET', `/api/calls/${callId}/dispatches`)).json['dispatches'] as Dispatch[];
    const first = Math.min(...jobs.map((j) => j.dispatchedAt));
    const onScene = jobs.find((j) => j.id === job2.id)!.onSceneAt!;

    expect(code(await api('officer1', 'GET', '/api/reports/response-times'))).toBe('forbidden');
    const rep = await api('supervisor', 'GET', '/api/reports/response-times?period=day&byTerminal=true');
    expect(rep.status).toBe(200);
    expect(rep.json['targetMs']).toBe(6 * 60_000);
    const row = (rep.json['rows'] as { terminalId: string; calls: number; pressToAnswer: { p50Ms: number }; answerToDispatch: { p50Ms: number }; dispatchToOnScene: { p50Ms: number }; pressToOnScene: { p50Ms: number }; withinTarget: number }[]).find((r) => r.terminalId === 'XC-SCH-001')!;
    expect(row.calls).toBe(1);
    expect(row.pressToAnswer.p50Ms).toBe(call.answeredAt - call.createdAt);
    expect(row.answerToDispatch.p50Ms).toBe(first - call.answeredAt);
    expect(row.dispatchToOnScene.p50Ms).toBe(onScene - first);
    expect(row.pressToOnScene.p50Ms).toBe(onScene - call.createdAt);
    expect(row.withinTarget).toBe(1);
    const csv = await fetch(`${relay.url}/api/reports/response-times.csv?period=week`, { headers: { cookie: cookies['supervisor']! } });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect((await csv.text()).split('\r\n')[1]).toMatch(/^\d{4}-\d\d-\d\d,全部 all,1,/);
    expect(code(await api('supervisor', 'GET', '/api/reports/response-times?period=year'))).toBe('bad_request');
  });

  it('off duty clears the position; dispatching a call that ended too long ago is refused', async () => {
    expect((await api('responder2', 'POST', '/api/responder/duty', { onDuty: false })).status).toBe(200);
    const list = (await api('officer1', 'GET', '/api/responders')).json['responders'] as { username: string; onDuty: boolean; position: unknown }[];
    expect(list.find((r) => r.username === 'responder2')).toMatchObject({ onDuty: false, position: null });
    expect(code(await api('responder2', 'POST', '/api/responder/position', { latitude: 39.9375, longitude: 116.3885 }))).toBe('responder_off_duty');
    expect(code(await api('officer1', 'POST', `/api/calls/${callId}/dispatches`, { responderIds: [await idOf('responder2')] }))).toBe('responder_off_duty');

    const officer = await socket('/ws/console', 'officer1');
    expect((await officer.peer.request(++seq, 'call.hangup', { callId }))['ok']).toBe(true);
    // right after the call: still possible (the officer hung up, then sends someone)
    const r1 = await api('officer1', 'POST', `/api/calls/${callId}/dispatches`, { responderIds: [await idOf('responder1')] });
    expect(r1.status).toBe(201);
    expect((await api('officer1', 'POST', `/api/dispatches/${(r1.json['dispatches'] as Dispatch[])[0]!.id}/cancel`, {})).status).toBe(200);
    await sleep(AFTER_END_MS + 200);
    expect(code(await api('officer1', 'POST', `/api/calls/${callId}/dispatches`, { responderIds: [await idOf('responder1')] }))).toBe('call_ended');
    phone2.close();
  });
});
