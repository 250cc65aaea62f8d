import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CandidatesResponse,
  DispatchesResponse,
  DispatchSavedResponse,
  DistrictMediaResponse,
  DistrictStateResponse,
  EmptyResponse,
  JobSavedResponse,
  ResponderMeResponse,
  RespondersResponse,
  ResponderSavedResponse,
  ResponseTimeReportResponse,
  type CandidateView,
  type DispatchView,
  type DistrictCallView,
  type DistrictMediaTicket,
  type DistrictTerminalView,
  type JobView,
  type ResponderView,
  type StationEntry,
  type TerminalView,
} from '@helppoint/shared';
import { registerDistrictRoutes } from '../district/districtRoutes.ts';
import { registerDispatchRoutes } from './dispatchRoutes.ts';

// The real dispatch and district route modules, fed by stand-in services whose
// records carry a field the contract lacks (`secret`, at every depth): the
// response schema each route registers is what keeps it off the wire, and
// what keeps a null a null.

const users: Record<string, { id: number; username: string; displayName: string; role: string }> = {
  desk: { id: 1, username: 'wang', displayName: '王警官', role: 'supervisor' },
  phone: { id: 7, username: 'zhao', displayName: '赵', role: 'responder' },
  admin: { id: 2, username: 'admin', displayName: '管理员', role: 'admin' },
};
const sessions = { resolve: (token: string) => (users[token] ? { user: users[token] } : null) };
const as = (who: keyof typeof users) => ({ cookie: `hp_session=${who}` });
const audit = { write: () => {} };
const secret = 'x';

const terminal: TerminalView = {
  id: 'XC-SCH-001',
  name: '前海北沿小学 东门',
  nameEn: '',
  address: '西城区前海北沿',
  hutong: '',
  district: '西城区',
  kind: 'school',
  latitude: 39.94,
  longitude: 116.38,
  notes: '',
  online: true,
  lastSeenAt: null,
};
const onDuty: ResponderView = {
  id: 7,
  username: 'zhao',
  displayName: '赵',
  unitName: '什刹海巡逻一组',
  kind: 'patrol',
  onDuty: true,
  position: { latitude: 39.941, longitude: 116.381, accuracyM: null, at: 500 },
  status: 'assigned',
  callId: 'call-1',
};
const offDuty: ResponderView = { ...onDuty, id: 8, username: 'qian', onDuty: false, position: null, status: 'free', callId: null };
const dispatchView: DispatchView = {
  id: 3,
  callId: 'call-1',
  terminalId: terminal.id,
  responder: { id: 7, displayName: '赵', unitName: '什刹海巡逻一组', kind: 'patrol' },
  dispatchedBy: { id: 1, displayName: '王警官' },
  status: 'assigned',
  distanceM: null,
  dispatchedAt: 600,
  acceptedAt: null,
  enRouteAt: null,
  onSceneAt: null,
  doneAt: null,
  refusedAt: null,
  cancelledAt: null,
  escalatedAt: null,
  note: '',
  refuseReason: '',
};
const job: JobView = {
  dispatch: dispatchView,
  terminal,
  call: { id: 'call-1', state: 'answered', createdAt: 400, producers: [{ id: 'p-1', kind: 'video' }] },
  snapshotUrl: null,
};
const candidate: CandidateView = { responder: onDuty, distanceM: null, method: 'unknown', positionAgeMs: null };

/** The same records as a service hands them over: with extra fields at every level. */
const leakyResponder = (r: ResponderView) => ({ ...r, secret, passwordHash: 'scrypt$secret', position: r.position && { ...r.position, secret } });
const leakyDispatch = { ...dispatchView, secret, responder: { ...dispatchView.responder, secret }, dispatchedBy: { ...dispatchView.dispatchedBy, secret } };
const leakyJob = {
  ...job,
  secret,
  dispatch: leakyDispatch,
  terminal: { ...terminal, secret },
  call: { ...job.call, secret, producers: [{ ...job.call.producers[0]!, secret }] },
};

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function dispatchApp(): FastifyInstance {
  const a = Fastify();
  const dispatch = {
    responders: () => [leakyResponder(onDuty), leakyResponder(offDuty)],
    candidates: () => [{ ...candidate, secret, responder: leakyResponder(onDuty) }],
    forCall: () => [leakyDispatch],
    dispatch: () => [leakyDispatch],
    cancel: () => ({ ...leakyDispatch, status: 'cancelled', cancelledAt: 700 }),
    responderView: () => leakyResponder(offDuty),
    responderOf: () => ({ userId: 7 }),
    jobsOf: () => [leakyJob],
    setDuty: () => leakyResponder(offDuty),
    reportPosition: () => leakyResponder(onDuty),
    setStatus: () => ({ ...leakyJob, dispatch: { ...leakyDispatch, status: 'accepted', acceptedAt: 650 } }),
  };
  const responseTimes = {
    // one call answered and reached, one never answered: its legs are missing, not zero
    rows: () => [
      { callId: 'c1', terminalId: terminal.id, pressedAt: 1_000, answeredAt: 6_000, firstDispatchAt: 16_000, firstOnSceneAt: 316_000, secret },
      { callId: 'c2', terminalId: terminal.id, pressedAt: 2_000, answeredAt: null, firstDispatchAt: null, firstOnSceneAt: null, secret },
    ],
  };
  registerDispatchRoutes(a, {
    sessions,
    users: { create: async () => ({ id: 8, username: 'qian', displayName: '赵', role: 'responder', passwordHash: 'scrypt$secret' }), get: () => ({ id: 8, username: 'qian', role: 'responder' }) },
    responders: { setProfile: () => ({ userId: 8, unitName: '什刹海巡逻一组', kind: 'patrol' }) },
    responseTimes,
    dispatch,
    audit,
    mediaDir: '/nonexistent',
    responseTargetMs: 600_000,
  } as never);
  return a;
}

describe('dispatch responses', () => {
  it("the desk's responder list and candidates: contract fields only, an off-duty unit's null position stays null", async () => {
    app = dispatchApp();
    const list = await app.inject({ url: '/api/responders', headers: as('desk') });
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual({ responders: [onDuty, offDuty] });
    const candidates = await app.inject({ url: '/api/calls/call-1/dispatch-candidates', headers: as('desk') });
    expect(candidates.json()).toEqual({ candidates: [candidate] });
    expect(list.body + candidates.body).not.toContain('secret');
  });

  it('dispatching answers 201 with the dispatches made; listing and cancelling answer 200', async () => {
    app = dispatchApp();
    const made = await app.inject({ method: 'POST', url: '/api/calls/call-1/dispatches', headers: as('desk'), payload: { responderIds: [7] } });
    expect([made.statusCode, made.json()]).toEqual([201, { dispatches: [dispatchView] }]);
    const listed = await app.inject({ url: '/api/calls/call-1/dispatches', headers: as('desk') });
    expect([listed.statusCode, listed.json()]).toEqual([200, { dispatches: [dispatchView] }]);
    const cancelled = await app.inject({ method: 'POST', url: '/api/dispatches/3/cancel', headers: as('desk'), payload: {} });
    expect([cancelled.statusCode, cancelled.json()]).toEqual([200, { dispatch: { ...dispatchView, status: 'cancelled', cancelledAt: 700 } }]);
    expect(made.body + listed.body + cancelled.body).not.toContain('secret');
  });

  it("a new responder account answers 201 without its password hash; a profile edit answers 200", async () => {
    app = dispatchApp();
    const created = await app.inject({
      method: 'POST',
      url: '/api/responders',
      headers: as('admin'),
      payload: { username: 'qian', displayName: '赵', password: 'a long enough pass phrase 2026', unitName: '什刹海巡逻一组', kind: 'patrol' },
    });
    expect([created.statusCode, created.json()]).toEqual([201, { responder: offDuty }]);
    const edited = await app.inject({ method: 'PUT', url: '/api/responders/8/profile', headers: as('admin'), payload: { unitName: '什刹海巡逻一组', kind: 'patrol' } });
    expect([edited.statusCode, edited.json()]).toEqual([200, { responder: offDuty }]);
    expect(created.body + edited.body).not.toContain('secret');
  });

  it("the responder's phone: own jobs, duty, position and job status carry nothing extra", async () => {
    app = dispatchApp();
    const me = await app.inject({ url: '/api/responder/me', headers: as('phone') });
    expect(me.json()).toEqual({ responder: offDuty, jobs: [job] });
    const duty = await app.inject({ method: 'POST', url: '/api/responder/duty', headers: as('phone'), payload: { onDuty: false } });
    expect(duty.json()).toEqual({ responder: offDuty });
    const position = await app.inject({ method: 'POST', url: '/api/responder/position', headers: as('phone'), payload: { latitude: 39.941, longitude: 116.381 } });
    expect(position.json()).toEqual({ responder: onDuty });
    const status = await app.inject({ method: 'POST', url: '/api/responder/jobs/3/status', headers: as('phone'), payload: { status: 'accepted' } });
    expect(status.json()).toEqual({ job: { ...job, dispatch: { ...dispatchView, status: 'accepted', acceptedAt: 650 } } });
    for (const r of [me, duty, position, status]) expect(r.statusCode).toBe(200);
    expect(me.body + duty.body + position.body + status.body).not.toContain('secret');
  });

  it('the response-time report: a leg nobody reached is null, not 0', async () => {
    app = dispatchApp();
    const res = await app.inject({ url: '/api/reports/response-times?period=day&from=0&to=86400000', headers: as('desk') });
    expect(res.statusCode).toBe(200);
    const body = res.json() as ResponseTimeReportResponse;
    expect(Object.keys(body).sort()).toEqual(['from', 'period', 'rows', 'targetMs', 'to']);
    expect([body.period, body.from, body.to, body.targetMs]).toEqual(['day', 0, 86_400_000, 600_000]);
    expect(body.rows).toHaveLength(1);
    expect(body.rows[0]).toMatchObject({ terminalId: null, calls: 2, pressToAnswer: { n: 1, p50Ms: 5_000, p90Ms: 5_000 }, withinTarget: 1 });
    const responder = await app.inject({ url: '/api/reports/response-times', headers: as('phone') });
    expect(responder.statusCode).toBe(403);
    expect(res.body).not.toContain('secret');
  });
});

const station: StationEntry = { v: 1, station: 'xc-dongsi', name: '东四派出所', publicUrl: 'https://dongsi.example', terminals: 2, online: 1, openCalls: 1, at: 900 };
const seen: DistrictTerminalView = {
  v: 1,
  station: 'xc-dongsi',
  terminal,
  status: 'ringing',
  health: { cameraOk: true, cpuTempC: null, rssiDbm: -80, version: null, alarms: [], lastSelfTestPassed: null },
  at: 900,
  key: 'xc-dongsi.XC-SCH-001',
  stale: false,
};
const gone: DistrictTerminalView = { ...seen, terminal: { ...terminal, id: 'XC-HT-002' }, key: 'xc-dongsi.XC-HT-002', status: 'offline', health: null, stale: true };
const ringing: DistrictCallView = {
  station: 'xc-dongsi',
  callId: 'call-9',
  terminal,
  state: 'ringing',
  kind: 'help',
  createdAt: 800,
  answeredBy: null,
  endReason: null,
  escalatedAt: null,
  districtRinging: true,
  dispatched: false,
};
const answered: DistrictCallView = { ...ringing, callId: 'call-10', state: 'answered', answeredBy: { displayName: '李', fromDistrict: true } };
const ticket: DistrictMediaTicket = { consoleUrl: 'wss://dongsi.example/ws/console?ticket=abc', callId: 'call-9', expiresAt: 5_000 };

function districtApp(): { app: FastifyInstance; commands: string[] } {
  const a = Fastify();
  const commands: string[] = [];
  // What a newer station may publish: fields this relay's contract does not know yet.
  const district = {
    snapshot: () => ({
      stations: [{ ...station, secret }],
      terminals: [{ ...seen, secret, terminal: { ...terminal, secret }, health: { ...seen.health, wifiDbm: -40, secret } }, { ...gone, secret }],
      calls: [{ ...ringing, secret }, { ...answered, answeredBy: { ...answered.answeredBy, secret } }],
      escalateAfterMs: 90_000,
      secret,
    }),
    call: (s: string, id: string) => (id === 'call-9' ? { ...ringing, station: s } : undefined),
    answer: async (s: string, id: string) => (commands.push(`answer ${s}/${id}`), { ...ticket, secret }),
    hangup: async (s: string, id: string) => void commands.push(`hangup ${s}/${id}`),
    lookin: async (s: string, id: string) => (commands.push(`lookin ${s}/${id}`), { ...ticket, callId: 'lookin-1', secret }),
  };
  registerDistrictRoutes(a, { district, sessions, audit } as never);
  return { app: a, commands };
}

describe('district responses', () => {
  it("GET /api/district/state: the desk's picture without what stations add, a stale terminal's null health kept", async () => {
    const d = districtApp();
    app = d.app;
    const res = await app.inject({ url: '/api/district/state', headers: as('desk') });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ stations: [station], terminals: [seen, gone], calls: [ringing, answered], escalateAfterMs: 90_000 });
    expect(res.body).not.toContain('secret');
    expect(res.body).not.toContain('wifiDbm');
  });

  it("answer and look-in return the station's media ticket only; hang-up answers {}", async () => {
    const d = districtApp();
    app = d.app;
    const answer = await app.inject({ method: 'POST', url: '/api/district/calls/xc-dongsi/call-9/answer', headers: as('desk'), payload: {} });
    expect([answer.statusCode, answer.json()]).toEqual([200, { media: ticket }]);
    const lookin = await app.inject({ method: 'POST', url: '/api/district/terminals/xc-dongsi/XC-SCH-001/lookin', headers: as('desk'), payload: {} });
    expect([lookin.statusCode, lookin.json()]).toEqual([200, { media: { ...ticket, callId: 'lookin-1' } }]);
    const hangup = await app.inject({ method: 'POST', url: '/api/district/calls/xc-dongsi/call-9/hangup', headers: as('desk'), payload: {} });
    expect([hangup.statusCode, hangup.body]).toEqual([200, '{}']);
    expect(answer.body + lookin.body).not.toContain('secret');
    expect(d.commands).toEqual(['answer xc-dongsi/call-9', 'lookin xc-dongsi/XC-SCH-001', 'hangup xc-dongsi/call-9']);
  });
});

describe('the dispatch and district routes register the shared schemas', () => {
  it('every JSON route has the response schema for the status it answers with', async () => {
    const registered = new Map<string, Record<string, unknown> | undefined>();
    const a = Fastify();
    a.addHook('onRoute', (r) => {
      for (const m of [r.method].flat()) if (m !== 'HEAD') registered.set(`${m} ${r.url}`, r.schema?.response as Record<string, unknown> | undefined);
    });
    registerDispatchRoutes(a, {} as never);
    registerDistrictRoutes(a, {} as never);
    await a.ready();
    app = a;
    const expected: Record<string, Record<string, unknown>> = {
      'GET /api/responders': { 200: RespondersResponse },
      'GET /api/calls/:id/dispatch-candidates': { 200: CandidatesResponse },
      'GET /api/calls/:id/dispatches': { 200: DispatchesResponse },
      'POST /api/calls/:id/dispatches': { 201: DispatchesResponse },
      'POST /api/dispatches/:id/cancel': { 200: DispatchSavedResponse },
      'POST /api/responders': { 201: ResponderSavedResponse },
      'PUT /api/responders/:id/profile': { 200: ResponderSavedResponse },
      'GET /api/responder/me': { 200: ResponderMeResponse },
      'POST /api/responder/duty': { 200: ResponderSavedResponse },
      'POST /api/responder/position': { 200: ResponderSavedResponse },
      'POST /api/responder/jobs/:id/status': { 200: JobSavedResponse },
      'GET /api/reports/response-times': { 200: ResponseTimeReportResponse },
      'GET /api/district/state': { 200: DistrictStateResponse },
      'POST /api/district/calls/:station/:id/answer': { 200: DistrictMediaResponse },
      'POST /api/district/calls/:station/:id/hangup': { 200: EmptyResponse },
      'POST /api/district/terminals/:station/:id/lookin': { 200: DistrictMediaResponse },
    };
    for (const [route, response] of Object.entries(expected)) expect(registered.get(route), route).toEqual(response);
    // and none is left without one, but the snapshot image and the CSV
    const without = [...registered].filter(([, response]) => !response).map(([route]) => route);
    expect(without.sort()).toEqual(['GET /api/reports/response-times.csv', 'GET /api/responder/jobs/:id/snapshot']);
  });
});
