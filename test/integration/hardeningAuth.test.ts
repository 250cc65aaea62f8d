import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawPeer, startTestRelay } from '../support/relayHarness.ts';
import { signIn } from '../support/station.ts';
import { DEFAULT_ANONYMOUS_AUDIT_LIMITS } from '../../relay/src/security/ThrottledAuditRepo.ts';

/**
 * Issue 16, as an attacker on the station network would try it: sign-in
 * guessing in parallel, locking an officer out, weak passwords, logout that
 * leaves sockets open, cross-site WebSockets, framing and sniffing, and what
 * /metrics and /healthz tell anyone who asks.
 */
let relay: Awaited<ReturnType<typeof startTestRelay>>;

beforeAll(async () => {
  relay = await startTestRelay({
    recordCalls: false,
    loginLimits: { perAccount: 3, perAddress: 8, windowMs: 60_000, baseBackoffMs: 5_000, maxBackoffMs: 60_000 },
    metricsToken: 'scrape-token-for-tests',
    authPerMinute: 200,
    anonymousAuditLimits: DEFAULT_ANONYMOUS_AUDIT_LIMITS,
  });
});
afterAll(async () => {
  await relay?.close();
});

/** A request from a chosen loopback source address (127.0.0.x), so per-address limits can be told apart. */
function request(opts: { method: string; path: string; from?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const url = new URL(relay.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method: opts.method, path: opts.path, localAddress: opts.from ?? '127.0.0.1', headers: { ...(opts.body ? { 'content-type': 'application/json' } : {}), ...opts.headers } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}
const login = (username: string, password: string, from: string, cookie?: string) =>
  request({ method: 'POST', path: '/api/login', from, body: JSON.stringify({ username, password }), ...(cookie ? { headers: { cookie } } : {}) });
const codeOf = (r: { body: string }) => (JSON.parse(r.body) as { error?: { code: string } }).error?.code;
const cookiesOf = (r: { headers: http.IncomingHttpHeaders }) => (r.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]!).join('; ');

describe('sign-in throttling', () => {
  it('parallel guesses for one account are checked and counted atomically: at most the free three reach the password check', async () => {
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => login('field', `guess-${i}`, '127.0.0.21')));
    const codes = results.map(codeOf);
    expect(codes.filter((c) => c === 'invalid_credentials').length).toBe(3);
    expect(codes.filter((c) => c === 'too_many_attempts').length).toBe(37);
    const refused = results.find((r) => r.status === 429)!;
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('back-off, not lock-out: the officer\'s own desk (known-device cookie) still signs in while others are slowed; an admin unlocks', async () => {
    // officer1 signs in at the desk first: the browser now holds its known-device cookie.
    const desk = await login('officer1', 'demo-officer1', '127.0.0.30');
    expect(desk.status).toBe(200);
    const deviceCookie = cookiesOf(desk).split('; ').filter((c) => c.startsWith('hp_dev_')).join('; ');
    expect(deviceCookie).toMatch(/^hp_dev_[0-9a-f]{16}=s%3A|^hp_dev_[0-9a-f]{16}=[^;]+\./);
    // An attacker guesses officer1's password from three addresses.
    for (const from of ['127.0.0.31', '127.0.0.32', '127.0.0.33']) expect(codeOf(await login('officer1', 'not-it-at-all', from))).toBe('invalid_credentials');
    const attacker = await login('officer1', 'demo-officer1', '127.0.0.34');
    expect([attacker.status, codeOf(attacker)]).toEqual([429, 'too_many_attempts']);
    expect(Number(attacker.headers['retry-after'])).toBeGreaterThanOrEqual(4);
    // The desk is not locked out.
    expect((await login('officer1', 'demo-officer1', '127.0.0.30', deviceCookie)).status).toBe(200);
    // A forged or foreign device cookie counts for nothing.
    expect(codeOf(await login('officer1', 'demo-officer1', '127.0.0.35', 'hp_dev_0000000000000000=forged.sig'))).toBe('too_many_attempts');
    // The admin sees the back-off and ends it.
    const admin = await signIn(relay.url, 'admin', 'demo-admin');
    const listed = await request({ method: 'GET', path: '/api/login-throttle', headers: { cookie: admin } });
    expect(JSON.parse(listed.body).accounts.map((a: { username: string }) => a.username)).toContain('officer1');
    const me = await request({ method: 'GET', path: '/api/users', headers: { cookie: admin } });
    const officer1 = (JSON.parse(me.body).users as { id: number; username: string }[]).find((u) => u.username === 'officer1')!;
    expect((await request({ method: 'POST', path: `/api/users/${officer1.id}/unlock`, headers: { cookie: admin } })).status).toBe(200);
    expect((await login('officer1', 'demo-officer1', '127.0.0.34')).status).toBe(200);
    expect(relay.relay.trust.audit.list({ limit: 50 }).some((a) => a.action === 'user.unlock' && a.target === 'officer1')).toBe(true);
  });

  it('per address first: one address trying many usernames backs off for all of them', async () => {
    for (let i = 0; i < 8; i++) expect(codeOf(await login(`nobody${i}`, 'x', '127.0.0.40'))).toBe('invalid_credentials');
    expect(codeOf(await login('supervisor', 'demo-supervisor', '127.0.0.40'))).toBe('too_many_attempts');
    expect((await login('supervisor', 'demo-supervisor', '127.0.0.41')).status).toBe(200);
  });

  it('anonymous audit rows are rate-limited per address, with one summary row for what was dropped', async () => {
    const before = relay.relay.trust.audit.list({ limit: 5000 }).filter((a) => a.remote === '127.0.0.50').length;
    for (let i = 0; i < 60; i++) await login(`ghost${i % 3}`, 'x', '127.0.0.50');
    (relay.relay.trust.audit as unknown as { flush(): void }).flush();
    const rows = relay.relay.trust.audit.list({ limit: 5000 }).filter((a) => a.remote === '127.0.0.50');
    expect(rows.length - before).toBeLessThanOrEqual(21);
    const summary = rows.find((a) => a.action === 'audit.suppressed');
    expect(summary?.detail?.['counts']).toBeTruthy();
  });
});

describe('password policy', () => {
  it('refuses the examples from the issue and common passwords with weak_password', async () => {
    const admin = await signIn(relay.url, 'admin', 'demo-admin');
    for (const password of ['aaaaaaaaaa', '1234567890', 'password123', 'P@ssw0rd2024', 'woaini1314520']) {
      const r = await request({ method: 'POST', path: '/api/users', headers: { cookie: admin }, body: JSON.stringify({ username: 'newofficer', displayName: '新民警', role: 'officer', password }) });
      expect([r.status, codeOf(r)], password).toEqual([400, 'weak_password']);
    }
    const ok = await request({ method: 'POST', path: '/api/users', headers: { cookie: admin }, body: JSON.stringify({ username: 'newofficer', displayName: '新民警', role: 'officer', password: 'gulou-east-night-desk' }) });
    expect(ok.status).toBe(201);
  });
});

describe('sessions end everywhere at logout', () => {
  it('logout closes the console sockets of that session at once; the session is gone', async () => {
    const cookie = await signIn(relay.url, 'officer2', 'demo-officer2');
    const other = await signIn(relay.url, 'officer2', 'demo-officer2');
    const ws = relay.url.replace('http', 'ws');
    const a = await RawPeer.open(`${ws}/ws/console`, { cookie });
    const b = await RawPeer.open(`${ws}/ws/console`, { cookie: other });
    expect((await a.request(1, 'hello', {}))['ok']).toBe(true);
    expect((await b.request(1, 'hello', {}))['ok']).toBe(true);
    expect((await request({ method: 'POST', path: '/api/logout', headers: { cookie } })).status).toBe(200);
    expect((await a.waitClosed(3000)).code).toBe(4003);
    expect(b.closed).toBeNull();
    expect(codeOf(await request({ method: 'GET', path: '/api/me', headers: { cookie } }))).toBe('unauthenticated');
    // "everywhere" ends the other session (and its socket) too.
    expect((await request({ method: 'POST', path: '/api/logout?everywhere=1', headers: { cookie: other } })).status).toBe(200);
    expect((await b.waitClosed(3000)).code).toBe(4003);
  });
});

describe('WebSocket Origin', () => {
  it('refuses a console socket opened by another site, and any web page on the terminal socket', async () => {
    const cookie = await signIn(relay.url, 'officer2', 'demo-officer2');
    const ws = relay.url.replace('http', 'ws');
    await expect(RawPeer.open(`${ws}/ws/console`, { cookie, origin: 'http://evil.example' })).rejects.toThrow(/403/);
    await expect(RawPeer.open(`${ws}/ws/terminal`, { origin: relay.url })).rejects.toThrow(/403/);
    const same = await RawPeer.open(`${ws}/ws/console`, { cookie, origin: relay.url });
    expect((await same.request(1, 'hello', {}))['ok']).toBe(true);
    same.close();
    expect(relay.relay.trust.audit.list({ limit: 100 }).some((a) => a.action === 'console.origin' && a.target === 'http://evil.example' && a.outcome === 'refused')).toBe(true);
  });
});

describe('security headers', () => {
  it('every response carries a strict CSP with frame-ancestors none, nosniff and no-referrer', async () => {
    for (const path of ['/api/me', '/healthz', '/no-such-page']) {
      const r = await request({ method: 'GET', path });
      const csp = String(r.headers['content-security-policy']);
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['x-frame-options']).toBe('DENY');
      expect(r.headers['referrer-policy']).toBe('no-referrer');
    }
  });
});

describe('/metrics and /healthz', () => {
  it('/metrics needs the scrape token; with it, prom-client\'s process metrics and ours', async () => {
    expect((await request({ method: 'GET', path: '/metrics' })).status).toBe(403);
    expect((await request({ method: 'GET', path: '/metrics', headers: { authorization: 'Bearer wrong' } })).status).toBe(403);
    const r = await request({ method: 'GET', path: '/metrics', headers: { authorization: 'Bearer scrape-token-for-tests' } });
    expect(r.status).toBe(200);
    expect(r.body).toContain('process_cpu_seconds_total');
    expect(r.body).toContain('nodejs_eventloop_lag_seconds');
    expect(r.body).toContain('# TYPE helppoint_mediasoup_worker_cpu_seconds_total counter');
    expect(r.body).toContain('helppoint_media_disk_free_bytes');
  });

  it('/healthz does not say whether the desk is staffed, and does not write to the database', async () => {
    const at = () => (relay.relay.db.prepare('SELECT at FROM relay_liveness WHERE id = 1').get() as { at: number }).at;
    const before = at();
    for (let i = 0; i < 5; i++) {
      const r = await request({ method: 'GET', path: '/healthz' });
      expect(r.status).toBe(200);
      const body = JSON.parse(r.body);
      expect(body).toMatchObject({ ok: true, db: 'writable' });
      expect(body).not.toHaveProperty('consoles');
      expect(body).not.toHaveProperty('openCalls');
    }
    expect(at()).toBe(before);
    const detailed = JSON.parse((await request({ method: 'GET', path: '/healthz', headers: { authorization: 'Bearer scrape-token-for-tests' } })).body);
    expect(detailed).toHaveProperty('consoles');
  });
});
