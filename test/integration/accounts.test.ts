import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawPeer, startTestRelay } from '../support/relayHarness.ts';
import { dbSnapshot, lastAudit } from '../support/dbSnapshot.ts';

/** Accounts, roles on every route, disabling, passwords, sign-in rate limits and the audit log. */
let relay: Awaited<ReturnType<typeof startTestRelay>>;
let wsBase: string;

beforeAll(async () => {
  relay = await startTestRelay({ loginLimits: { perAccount: 3, perAddress: 6, windowMs: 60_000 } });
  wsBase = relay.url.replace('http', 'ws');
});
afterAll(async () => {
  await relay?.close();
});

interface Res {
  status: number;
  json: Record<string, unknown>;
  cookie: string | null;
}

/** HTTP to the relay, optionally from another loopback address (127.0.0.x), to act as a second client machine. */
function api(method: string, path: string, body?: unknown, cookie?: string, from = '127.0.0.1'): Promise<Res> {
  const url = new URL(path, relay.url);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method,
        localAddress: from,
        headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...(cookie ? { cookie } : {}) },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => {
          const set = res.headers['set-cookie']?.[0];
          resolve({ status: res.statusCode ?? 0, json: text ? (JSON.parse(text) as Record<string, unknown>) : {}, cookie: set ? set.split(';')[0]! : null });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
const code = (r: Res) => (r.json['error'] as { code: string } | undefined)?.code;
async function signIn(username: string, password: string, from?: string): Promise<string> {
  const r = await api('POST', '/api/login', { username, password }, undefined, from);
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return r.cookie!;
}

describe('roles are enforced on every route', () => {
  const DEMO: Record<string, string> = { officer: 'officer1:demo-officer1', supervisor: 'supervisor:demo-supervisor', technician: 'tech:demo-tech', field: 'field:demo-field', admin: 'admin:demo-admin', responder: 'responder1:demo-responder1' };
  // route → roles that may use it (everyone else gets 403 forbidden; no session gets 401)
  const MATRIX: [string, string, unknown, string[]][] = [
    ['GET', '/api/terminals', undefined, ['officer', 'supervisor', 'technician', 'field', 'admin']],
    ['GET', '/api/calls', undefined, ['officer', 'supervisor', 'admin']],
    ['GET', '/api/enrolments', undefined, ['technician', 'admin']],
    ['PATCH', '/api/terminals/XC-HT-020', { notes: '胡同口西侧，夜间照明差' }, ['technician', 'admin']],
    ['GET', '/api/users', undefined, ['admin']],
    ['GET', '/api/audit', undefined, ['admin']],
    // dispatch (issue 13): responders may use only their own routes
    ['GET', '/api/responders', undefined, ['officer', 'supervisor', 'admin']],
    ['GET', '/api/reports/response-times', undefined, ['supervisor', 'admin']],
    ['GET', '/api/responder/me', undefined, ['responder']],
  ];
  it.each(Object.keys(DEMO))('%s', async (role) => {
    const [u, p] = DEMO[role]!.split(':') as [string, string];
    const cookie = await signIn(u, p);
    const me = await api('GET', '/api/me', undefined, cookie);
    expect((me.json['user'] as { role: string }).role).toBe(role);
    for (const [method, path, body, allowed] of MATRIX) {
      const before = dbSnapshot(relay.relay.db);
      const r = await api(method, path, body, cookie);
      if (allowed.includes(role)) expect(r.status, `${role} ${method} ${path}`).toBe(200);
      else {
        expect([r.status, code(r)], `${role} ${method} ${path}`).toEqual([403, 'forbidden']);
        expect(dbSnapshot(relay.relay.db)).toEqual(before);
      }
      expect(code(await api(method, path, body)), `anonymous ${method} ${path}`).toBe('unauthenticated');
    }
  });

  it('technicians create and edit terminal records; the location ID cannot be changed', async () => {
    const tech = await signIn('tech', 'demo-tech');
    const record = { id: 'XC-HT-021', kind: 'hutong', name: '东煤厂胡同 北口', address: '北京市西城区东煤厂胡同北口', latitude: 39.9381, longitude: 116.3868 };
    const created = await api('POST', '/api/terminals', record, tech);
    expect(created.status).toBe(201);
    expect(lastAudit(relay.relay.db)).toMatchObject({ action: 'terminal.create', target: 'XC-HT-021', actor: 'user:tech' });
    const before = dbSnapshot(relay.relay.db);
    expect(code(await api('POST', '/api/terminals', record, tech))).toBe('conflict');
    expect(code(await api('PATCH', '/api/terminals/XC-HT-021', { id: 'XC-HT-099' }, tech))).toBe('bad_request');
    expect(code(await api('PATCH', '/api/terminals/XC-HT-021', { latitude: 200 }, tech))).toBe('bad_request');
    expect(code(await api('PATCH', '/api/terminals/XC-HT-021', {}, tech))).toBe('bad_request');
    expect(code(await api('PATCH', '/api/terminals/XC-NOPE-1', { notes: 'x' }, tech))).toBe('unknown_terminal');
    expect(code(await api('POST', '/api/terminals', { ...record, id: 'lower-case' }, tech))).toBe('bad_request');
    expect(dbSnapshot(relay.relay.db)).toEqual(before);
    const edited = await api('PATCH', '/api/terminals/XC-HT-021', { notes: '北口东侧墙挂式', hutong: '东煤厂胡同', latitude: 39.9382 }, tech);
    expect(edited.json['terminal']).toMatchObject({ id: 'XC-HT-021', notes: '北口东侧墙挂式', hutong: '东煤厂胡同', latitude: 39.9382, name: '东煤厂胡同 北口' });
  });

  it('field staff may open the console but not take calls, nor see call media or calls', async () => {
    const field = await RawPeer.open(`${wsBase}/ws/console`, { cookie: await signIn('field', 'demo-field') });
    const hello = await field.request(1, 'hello', {});
    expect((hello['data'] as { calls: unknown[] }).calls).toEqual([]);
    expect((await field.request(2, 'rtc.createTransport', { direction: 'recv', callId: 'any' }))['error']).toMatchObject({ code: 'forbidden' });
    expect((await field.request(3, 'call.hangup', { callId: 'any' }))['error']).toMatchObject({ code: 'forbidden' });
    field.close();
  });
});

describe('accounts', () => {
  it('an admin creates an account; bad input and duplicates change nothing', async () => {
    const admin = await signIn('admin', 'demo-admin');
    const before = dbSnapshot(relay.relay.db);
    for (const [body, expected] of [
      [{ username: 'x', displayName: 'X', role: 'officer', password: 'long enough pw' }, 'bad_request'],
      [{ username: 'officer3', displayName: 'X', role: 'root', password: 'long enough pw' }, 'bad_request'],
      [{ username: 'officer3', displayName: 'X', role: 'officer', password: 'short' }, 'weak_password'],
      [{ username: 'officer3', displayName: 'X', role: 'officer', password: 'officer3-is-me' }, 'weak_password'],
      [{ username: 'OFFICER1', displayName: 'X', role: 'officer', password: 'long enough pw' }, 'conflict'],
      [{ username: 'officer3', displayName: 'X', role: 'officer', password: 'long enough pw', admin: true }, 'bad_request'],
    ] as const) {
      expect(code(await api('POST', '/api/users', body, admin)), JSON.stringify(body)).toBe(expected);
    }
    expect(dbSnapshot(relay.relay.db)).toEqual(before);
    const made = await api('POST', '/api/users', { username: 'officer3', displayName: '值班民警 周敏', role: 'officer', password: 'hutong-night-shift' }, admin);
    expect(made.status).toBe(201);
    expect(lastAudit(relay.relay.db)).toMatchObject({ action: 'user.create', target: 'officer3', actor: 'user:admin' });
    expect(JSON.stringify(made.json)).not.toContain('hutong-night-shift');
    await signIn('officer3', 'hutong-night-shift');
  });

  it('disabling an account cuts its open console at once and refuses it from then on', async () => {
    const admin = await signIn('admin', 'demo-admin');
    const cookie = await signIn('officer2', 'demo-officer2');
    const consoleWs = await RawPeer.open(`${wsBase}/ws/console`, { cookie });
    expect((await consoleWs.request(1, 'hello', {}))['ok']).toBe(true);
    const officer2 = relay.relay.repos.users.getByUsername('officer2')!;

    const r = await api('PATCH', `/api/users/${officer2.id}`, { disabled: true }, admin);
    expect(r.json['user']).toMatchObject({ disabled: true });
    expect(await consoleWs.waitClosed()).toEqual({ code: 4003, reason: 'account_disabled' });
    expect(lastAudit(relay.relay.db)).toMatchObject({ action: 'user.disable', target: 'officer2' });
    expect(code(await api('GET', '/api/me', undefined, cookie))).toBe('unauthenticated');
    expect(code(await api('POST', '/api/login', { username: 'officer2', password: 'demo-officer2' }))).toBe('invalid_credentials');
    const again = await RawPeer.open(`${wsBase}/ws/console`, { cookie });
    expect((await again.waitClosed()).code).toBe(4003);

    expect((await api('PATCH', `/api/users/${officer2.id}`, { disabled: false }, admin)).status).toBe(200);
    await signIn('officer2', 'demo-officer2');
  });

  it('an admin cannot lock themself out', async () => {
    const admin = await signIn('admin', 'demo-admin');
    const me = relay.relay.repos.users.getByUsername('admin')!;
    const before = dbSnapshot(relay.relay.db);
    expect(code(await api('PATCH', `/api/users/${me.id}`, { disabled: true }, admin))).toBe('conflict');
    expect(code(await api('PATCH', `/api/users/${me.id}`, { role: 'officer' }, admin))).toBe('conflict');
    expect(code(await api('PATCH', '/api/users/99999', { role: 'officer' }, admin))).toBe('not_found');
    expect(dbSnapshot(relay.relay.db)).toEqual(before);
  });

  it('changing a role closes the open console so the new role applies now', async () => {
    const admin = await signIn('admin', 'demo-admin');
    const cookie = await signIn('supervisor', 'demo-supervisor');
    const ws = await RawPeer.open(`${wsBase}/ws/console`, { cookie });
    await ws.request(1, 'hello', {});
    const sup = relay.relay.repos.users.getByUsername('supervisor')!;
    await api('PATCH', `/api/users/${sup.id}`, { role: 'field' }, admin);
    expect((await ws.waitClosed()).reason).toBe('role_changed');
    expect(code(await api('GET', '/api/calls', undefined, cookie))).toBe('forbidden');
    await api('PATCH', `/api/users/${sup.id}`, { role: 'supervisor' }, admin);
    expect((await api('GET', '/api/calls', undefined, cookie)).status).toBe(200);
  });

  it('password change needs the current password; afterwards only the new one works; an admin reset ends every session', async () => {
    const admin = await signIn('admin', 'demo-admin');
    await api('POST', '/api/users', { username: 'officer4', displayName: '值班民警 孙悦', role: 'officer', password: 'first-password-1' }, admin);
    const cookie = await signIn('officer4', 'first-password-1');
    const before = dbSnapshot(relay.relay.db);
    expect(code(await api('POST', '/api/me/password', { currentPassword: 'wrong-one-here', newPassword: 'second-password-2' }, cookie))).toBe('invalid_credentials');
    expect(code(await api('POST', '/api/me/password', { currentPassword: 'first-password-1', newPassword: 'short' }, cookie))).toBe('weak_password');
    expect(dbSnapshot(relay.relay.db)).toEqual(before);
    const changed = await api('POST', '/api/me/password', { currentPassword: 'first-password-1', newPassword: 'second-password-2' }, cookie);
    expect(changed.status).toBe(200);
    expect(code(await api('GET', '/api/me', undefined, cookie))).toBe('unauthenticated'); // the old session ended…
    expect((await api('GET', '/api/me', undefined, changed.cookie!)).status).toBe(200); // …this browser got a new one
    expect(code(await api('POST', '/api/login', { username: 'officer4', password: 'first-password-1' }))).toBe('invalid_credentials');
    const fresh = await signIn('officer4', 'second-password-2');

    const id = relay.relay.repos.users.getByUsername('officer4')!.id;
    expect((await api('POST', `/api/users/${id}/password`, { password: 'third-password-3' }, admin)).status).toBe(200);
    expect(lastAudit(relay.relay.db)).toMatchObject({ action: 'user.password_reset', target: 'officer4', actor: 'user:admin' });
    expect(code(await api('GET', '/api/me', undefined, fresh))).toBe('unauthenticated');
    await signIn('officer4', 'third-password-3');
  });
});

describe('sign-in rate limits', () => {
  it('per account: after 3 failures even the right password is refused with 429, from any address', async () => {
    for (let i = 0; i < 3; i++) expect(code(await api('POST', '/api/login', { username: 'officer3', password: `guess-${i}` }))).toBe('invalid_credentials');
    const locked = await api('POST', '/api/login', { username: 'Officer3', password: 'hutong-night-shift' });
    expect([locked.status, code(locked)]).toEqual([429, 'too_many_attempts']);
    expect(locked.cookie).toBeNull();
    expect(code(await api('POST', '/api/login', { username: 'officer3', password: 'hutong-night-shift' }, undefined, '127.0.0.2'))).toBe('too_many_attempts');
    expect(lastAudit(relay.relay.db)).toMatchObject({ action: 'user.login', target: 'officer3', outcome: 'refused' });
    // other accounts are unaffected
    await signIn('officer1', 'demo-officer1', '127.0.0.2');
  });

  it('per address: many failures across usernames lock that address only', async () => {
    const from = '127.0.0.3';
    for (let i = 0; i < 6; i++) expect(code(await api('POST', '/api/login', { username: `nobody${i}`, password: 'x' }, undefined, from))).toBe('invalid_credentials');
    expect(code(await api('POST', '/api/login', { username: 'officer1', password: 'demo-officer1' }, undefined, from))).toBe('too_many_attempts');
    expect(code(await api('POST', '/api/enrol', { code: 'AAAA-BBBB-CCCC', publicKey: 'x' }, undefined, from))).toBe('too_many_attempts');
    await signIn('officer1', 'demo-officer1', '127.0.0.4');
  });
});

describe('audit log', () => {
  it('admins read privileged actions and refusals, newest first, page by page', async () => {
    const admin = await signIn('admin', 'demo-admin', '127.0.0.5'); // 127.0.0.1 is locked by the tests above
    const page = await api('GET', '/api/audit?limit=5', undefined, admin);
    const entries = page.json['entries'] as { id: number; action: string }[];
    expect(entries).toHaveLength(5);
    expect(entries[0]!.id).toBeGreaterThan(entries[4]!.id);
    const next = await api('GET', `/api/audit?limit=500&beforeId=${entries[4]!.id}`, undefined, admin);
    const actions = new Set((next.json['entries'] as { action: string }[]).map((e) => e.action).concat(entries.map((e) => e.action)));
    for (const a of ['user.create', 'user.disable', 'user.enable', 'user.edit', 'user.password_change', 'user.password_reset', 'user.login', 'terminal.create', 'terminal.edit']) expect(actions).toContain(a);
    expect(code(await api('GET', '/api/audit?limit=0', undefined, admin))).toBe('bad_request');
  });
});
