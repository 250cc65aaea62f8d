import Database from 'better-sqlite3';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AccountSavedResponse,
  EmptyResponse,
  EnrolResponse,
  EnrolmentCodeResponse,
  FleetHistoryResponse,
  FleetResponse,
  LoginThrottleResponse,
  RelayHealthResponse,
  RevokedResponse,
  TerminalSavedResponse,
  UnlockResponse,
  type FleetEntry,
  type TerminalHealth,
  type TerminalView,
} from '@helppoint/shared';
import { registerAuthRoutes } from './authRoutes.ts';
import { registerEnrolmentRoutes } from './enrolmentRoutes.ts';
import { registerFleetRoutes, type FleetRouteDeps } from './fleetRoutes.ts';
import { registerTerminalAdminRoutes } from './terminalAdminRoutes.ts';
import { registerUserRoutes } from './userRoutes.ts';

// The real route modules, fed by stand-in services whose records carry a field
// the contract lacks (`secret`): the response schema each route registers is
// what keeps it off the wire, and what keeps a null a null.

const admin = { id: 1, username: 'admin', displayName: '管理员', role: 'admin' };
const cookie = 'hp_session=any'; // the stand-in session store accepts any token
const sessions = { resolve: () => ({ user: admin }) };
const audit = { write: () => {} };

const health: TerminalHealth = {
  uptimeS: 3600,
  cpuTempC: 51.5,
  load1: 0.3,
  memFreeMb: 500,
  memTotalMb: 1900,
  diskFreeMb: 9000,
  camera: { framesDelivered: 1000, lastFrameAgoS: null },
  micLevelDbfs: null,
  buttonOkAgoS: 12,
  tamperOpen: null,
  lte: { present: true, rssiDbm: -85, csq: null, registration: 'home', operator: null },
  rttMs: 40,
  clockOffsetMs: -3,
  version: '1.2.0',
};
const view: TerminalView = {
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
  online: false,
  lastSeenAt: null,
};
const fullEntry: FleetEntry = {
  terminalId: 'XC-SCH-001',
  online: true,
  lastHeartbeatAt: 1_000,
  heartbeatLagMs: 12,
  health,
  alarm: { kind: 'tamper', active: true, raisedAt: 900, clearedAt: null },
  lastSelfTest: { startedAt: 1, finishedAt: 2, trigger: 'nightly', passed: false, lines: [{ check: 'camera', status: 'fail', detail: 'no frames', ms: 5 }] },
};
const emptyEntry: FleetEntry = { terminalId: 'XC-HT-002', online: false, lastHeartbeatAt: null, heartbeatLagMs: null, health: null, alarm: null, lastSelfTest: null };
const record = { ...view, createdAt: 10, updatedAt: 20 };
const { online: _online, lastSeenAt: _lastSeenAt, ...stored } = record;

let app: FastifyInstance | undefined;
let db: Database.Database | undefined;
afterEach(async () => {
  await app?.close();
  db?.close();
  app = undefined;
  db = undefined;
});

function fleetApp(over: Partial<Record<keyof FleetRouteDeps, unknown>> = {}): FastifyInstance {
  db = new Database(':memory:');
  db.exec('CREATE TABLE relay_liveness (id INTEGER PRIMARY KEY, at INTEGER NOT NULL)');
  const a = Fastify();
  registerFleetRoutes(a, {
    sessions,
    terminals: { list: () => [record], get: (id: string) => (id === view.id ? record : null) },
    calls: { terminalView: () => ({ ...view, secret: 'x' }), openCalls: () => [1, 2] },
    fleet: { entries: () => [{ ...fullEntry, secret: 'x' }, emptyEntry], entry: () => ({ ...emptyEntry, secret: 'x' }) },
    health: { history: () => [{ at: 5, cpuTempC: 50.25, rssiDbm: null, rttMs: null, secret: 'x' }] },
    metrics: {},
    pool: { slots: [{ worker: { closed: false } }] },
    db,
    consoles: () => 3,
    metricsToken: '',
    disk: { low: false },
    ...over,
  } as never);
  return a;
}

describe('fleet and health responses', () => {
  it('GET /api/fleet: only the contract fields, and null readings stay null', async () => {
    app = fleetApp();
    const res = await app.inject({ url: '/api/fleet', headers: { cookie } });
    expect(res.statusCode).toBe(200);
    const body = res.json() as Record<string, unknown>;
    expect(body).toEqual({ terminals: [view], entries: [fullEntry, emptyEntry], serverTime: expect.any(Number) });
    expect(res.body).not.toContain('secret');
    // optional fields the terminal did not send are not invented
    expect(Object.keys((body['entries'] as FleetEntry[])[0]!.health!)).not.toContain('update');
  });

  it('GET /api/fleet/:id/history: the entry of a terminal never heard from, and points with gaps', async () => {
    app = fleetApp();
    const res = await app.inject({ url: '/api/fleet/XC-SCH-001/history?hours=2', headers: { cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ terminal: view, entry: emptyEntry, since: expect.any(Number), points: [{ at: 5, cpuTempC: 50.25, rssiDbm: null, rttMs: null }] });
    expect(res.body).not.toContain('secret');
  });

  it('a nullable record is chosen by validating it: a health reading off the contract fails the response (why HealthRepo skips stale rows)', async () => {
    app = fleetApp({ fleet: { entries: () => [{ ...fullEntry, health: { ...health, wifiDbm: -40 } }], entry: () => emptyEntry } });
    const res = await app.inject({ url: '/api/fleet', headers: { cookie } });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('wifiDbm');
  });

  it('GET /healthz: 503 has the same shape; the detail only for a trusted scraper', async () => {
    app = fleetApp({ pool: { slots: [{ worker: { closed: false } }, { worker: { closed: true } }] }, metricsToken: 'tok', disk: { low: true } });
    const anyone = await app.inject({ url: '/healthz' });
    expect(anyone.statusCode).toBe(503);
    expect(anyone.json()).toEqual({ ok: false, db: 'writable', workers: 2, workersAlive: 1, diskLow: true });
    const scraper = await app.inject({ url: '/healthz', headers: { authorization: 'Bearer tok' } });
    expect(scraper.json()).toEqual({ ok: false, db: 'writable', workers: 2, workersAlive: 1, diskLow: true, terminalsOnline: 1, consoles: 3, openCalls: 2 });
  });
});

describe('terminal admin and enrolment responses', () => {
  function adminApp(): FastifyInstance {
    db = new Database(':memory:');
    const a = Fastify();
    const keys = { get: () => ({ terminalId: view.id, state: 'revoked', publicKey: 'AAAA', keyFingerprint: null, enrolledAt: 5, revokedAt: 6, secret: 'x' }) };
    const enrolment = {
      createCode: (terminalId: string) => ({ code: 'ABCD-EFGH-JKLM', terminalId, expiresAt: 99, codeHash: 'secret-hash' }),
      revoke: () => {},
      redeem: () => ({ terminal: { ...stored, secret: 'x' }, keyFingerprint: 'fp' }),
    };
    registerEnrolmentRoutes(a, { sessions, terminals: {}, keys, codes: {}, enrolment, guard: { begin: () => ({ succeeded() {}, failed() {} }) } } as never);
    let known: typeof stored | null = null;
    const terminals = {
      get: () => known,
      upsert: (t: typeof stored) => {
        known = { ...stored, ...t };
        return { ...known, secret: 'x' };
      },
    };
    registerTerminalAdminRoutes(a, { db, sessions, terminals, audit } as never);
    return a;
  }

  it('POST /api/terminals answers 201 with the stored record, PATCH with 200', async () => {
    app = adminApp();
    const { createdAt: _c, updatedAt: _u, ...input } = stored;
    const created = await app.inject({ method: 'POST', url: '/api/terminals', headers: { cookie }, payload: input });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual({ terminal: stored });
    const edited = await app.inject({ method: 'PATCH', url: `/api/terminals/${view.id}`, headers: { cookie }, payload: { notes: '东门外' } });
    expect(edited.statusCode).toBe(200);
    expect(edited.json()).toEqual({ terminal: { ...stored, notes: '东门外' } });
    expect(created.body + edited.body).not.toContain('secret');
  });

  it('the enrolment code is shown, its hash is not; a revoked key keeps its nulls', async () => {
    app = adminApp();
    const code = await app.inject({ method: 'POST', url: `/api/terminals/${view.id}/enrolment-code`, headers: { cookie }, payload: {} });
    expect(code.json()).toEqual({ code: 'ABCD-EFGH-JKLM', terminalId: view.id, expiresAt: 99 });
    const revoked = await app.inject({ method: 'POST', url: `/api/terminals/${view.id}/revoke`, headers: { cookie }, payload: { reason: 'Pi stolen' } });
    expect(revoked.json()).toEqual({ terminal: { terminalId: view.id, state: 'revoked', publicKey: 'AAAA', keyFingerprint: null, enrolledAt: 5, revokedAt: 6 } });
    const enrolled = await app.inject({ method: 'POST', url: '/api/enrol', payload: { code: 'ABCD-EFGH-JKLM', publicKey: 'AAAA' } });
    expect(enrolled.json()).toEqual({ terminalId: view.id, keyFingerprint: 'fp', terminal: { name: view.name, nameEn: '', address: view.address } });
    expect(code.body + revoked.body + enrolled.body).not.toContain('secret');
  });
});

describe('account responses', () => {
  function usersApp(): FastifyInstance {
    const a = Fastify();
    const account = { id: 2, username: 'li', displayName: '李', role: 'officer', disabled: false, createdAt: 3, passwordHash: 'scrypt$secret' };
    const guard = {
      blocked: () => ({ accounts: [{ username: 'li', failures: 4, retryAfterS: 8, secret: 'x' }], addresses: [], secret: 'x' }),
      unlockAccount: () => true,
      unlockAddress: () => false,
    };
    const users = { create: async () => account, get: () => account, setPassword: async () => {} };
    registerUserRoutes(a, { users, sessions: { ...sessions, revokeAllForUser: () => {}, revoke: () => {} }, audit, guard, devices: {}, secureCookies: false, closeConsoles: () => {} } as never);
    registerAuthRoutes(a, { users, sessions: { ...sessions, revoke: () => {} }, secureCookies: false, guard, audit, devices: {}, sockets: { closeSession: () => {} }, closeConsoles: () => {} } as never);
    return a;
  }

  it('the sign-in back-off list, unlocks and empty answers carry nothing extra', async () => {
    app = usersApp();
    const blocked = await app.inject({ url: '/api/login-throttle', headers: { cookie } });
    expect(blocked.json()).toEqual({ accounts: [{ username: 'li', failures: 4, retryAfterS: 8 }], addresses: [] });
    expect((await app.inject({ method: 'POST', url: '/api/users/2/unlock', headers: { cookie } })).json()).toEqual({ cleared: true });
    const byAddress = await app.inject({ method: 'POST', url: '/api/login-throttle/unlock-address', headers: { cookie }, payload: { address: '10.0.0.9' } });
    expect(byAddress.json()).toEqual({ cleared: false });
    const created = await app.inject({ method: 'POST', url: '/api/users', headers: { cookie }, payload: { username: 'li', displayName: '李', role: 'officer', password: 'a long enough pass phrase 2026' } });
    expect([created.statusCode, created.json()]).toEqual([201, { user: { id: 2, username: 'li', displayName: '李', role: 'officer', disabled: false, createdAt: 3 } }]);
    expect((await app.inject({ method: 'POST', url: '/api/logout', headers: { cookie: 'hp_session=x' } })).body).toBe('{}');
    expect(blocked.body + created.body).not.toContain('secret');
  });
});

describe('the routes register the shared schemas', () => {
  it('every JSON route of these modules has the response schema for the status it answers with', async () => {
    const seen = new Map<string, Record<string, unknown> | undefined>();
    const a = Fastify();
    a.addHook('onRoute', (r) => {
      for (const m of [r.method].flat()) if (m !== 'HEAD') seen.set(`${m} ${r.url}`, r.schema?.response as Record<string, unknown> | undefined);
    });
    db = new Database(':memory:');
    db.exec('CREATE TABLE relay_liveness (id INTEGER PRIMARY KEY, at INTEGER NOT NULL)');
    registerFleetRoutes(a, { db, pool: { slots: [] } } as never);
    registerTerminalAdminRoutes(a, {} as never);
    registerEnrolmentRoutes(a, {} as never);
    registerUserRoutes(a, {} as never);
    registerAuthRoutes(a, {} as never);
    await a.ready();
    app = a;
    const expected: Record<string, Record<string, unknown>> = {
      'GET /api/fleet': { 200: FleetResponse },
      'GET /api/fleet/:id/history': { 200: FleetHistoryResponse },
      'GET /healthz': { 200: RelayHealthResponse, 503: RelayHealthResponse },
      'POST /api/terminals': { 201: TerminalSavedResponse },
      'PATCH /api/terminals/:id': { 200: TerminalSavedResponse },
      'POST /api/enrol': { 200: EnrolResponse },
      'POST /api/terminals/:id/enrolment-code': { 200: EnrolmentCodeResponse },
      'POST /api/terminals/:id/revoke': { 200: RevokedResponse },
      'POST /api/users': { 201: AccountSavedResponse },
      'PATCH /api/users/:id': { 200: AccountSavedResponse },
      'POST /api/users/:id/password': { 200: EmptyResponse },
      'GET /api/login-throttle': { 200: LoginThrottleResponse },
      'POST /api/users/:id/unlock': { 200: UnlockResponse },
      'POST /api/login-throttle/unlock-address': { 200: UnlockResponse },
      'POST /api/me/password': { 200: EmptyResponse },
      'POST /api/logout': { 200: EmptyResponse },
    };
    for (const [route, response] of Object.entries(expected)) expect(seen.get(route), route).toEqual(response);
    // and none is left without one, but Prometheus text
    const without = [...seen].filter(([, response]) => !response).map(([route]) => route);
    expect(without).toEqual(['GET /metrics']);
  });
});
