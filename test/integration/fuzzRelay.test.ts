import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isErrorCode } from '@helppoint/shared';
import { RawPeer, startTestRelay } from '../support/relayHarness.ts';
import { CONSOLE_TYPES, Fuzzer, TERMINAL_TYPES } from '../support/fuzz.ts';
import { signIn } from '../support/station.ts';
import { enrolTerminals, signedHello } from '../support/terminalKeys.ts';
import type { DeviceKey } from '../../kiosk/src/enrol/deviceKey.ts';

/**
 * Thousands of random and mutated frames on both WebSocket gateways and
 * random requests on the HTTP API (bounded, seeded: HELPPOINT_FUZZ_SEED
 * replays a run). Every reply is ok or an error with a stable code, the
 * relay never answers `internal`, and it keeps serving real terminals.
 * Memory is measured by scripts/fuzz-relay.ts, not here.
 */
const SEED = Number(process.env['HELPPOINT_FUZZ_SEED'] ?? 20261129);
const FRAMES = 2500;
let relay: Awaited<ReturnType<typeof startTestRelay>>;
let keys: Map<string, DeviceKey>;

beforeAll(async () => {
  relay = await startTestRelay();
  keys = enrolTerminals(relay.relay, ['XC-SCH-004', 'XC-HT-003']);
});
afterAll(async () => {
  await relay?.close();
});

const wsUrl = (p: string) => `${relay.url.replace('http', 'ws')}${p}`;

/** Sends `count` fuzz frames in batches; after each batch a sentinel request proves the connection still answers in order. */
async function fuzzSocket(peer: RawPeer, fz: Fuzzer, types: readonly string[], count: number, sentinel: { type: string; data: unknown }): Promise<void> {
  let id = 1000;
  for (let sent = 0; sent < count; ) {
    for (let i = 0; i < 100 && sent < count; i++, sent++) peer.ws.send(fz.frame(++id, types));
    const s = await peer.request(++id, sentinel.type, sentinel.data);
    expect(s['id']).toBe(id);
  }
  const replies = peer.frames.filter((f) => 'ok' in f);
  const codes = replies.filter((f) => f['ok'] === false).map((f) => (f['error'] as { code: unknown }).code);
  const unknown = codes.filter((c) => !isErrorCode(c));
  expect(unknown).toEqual([]);
  expect(codes.filter((c) => c === 'internal')).toEqual([]);
  expect(peer.closed).toBeNull();
}

async function stillServing(): Promise<void> {
  const health = await fetch(`${relay.url}/healthz`);
  expect(health.status).toBe(200);
  const t = await RawPeer.open(wsUrl('/ws/terminal'));
  expect((await signedHello(t, 1, 'XC-SCH-004', keys.get('XC-SCH-004')!, 'after-fuzz'))['ok']).toBe(true);
  expect((await t.request(2, 'help.request', { requestId: `after-fuzz-${Date.now()}` }))['ok']).toBe(true);
  t.close();
}

describe(`fuzzing the relay (seed ${SEED})`, () => {
  it(`terminal gateway: ${FRAMES} frames before and after hello`, async () => {
    const fz = new Fuzzer(SEED);
    const before = await RawPeer.open(wsUrl('/ws/terminal'));
    // (a well-formed hello with an unknown ID closes the socket by design: 4004, covered in gatewayBadInput)
    const noHello = TERMINAL_TYPES.filter((t) => t !== 'hello');
    await fuzzSocket(before, fz, noHello, FRAMES / 2, { type: 'hello', data: { terminalId: 42 } }).finally(() => before.close());
    const after = await RawPeer.open(wsUrl('/ws/terminal'));
    expect((await signedHello(after, 1, 'XC-HT-003', keys.get('XC-HT-003')!, 'fuzz'))['ok']).toBe(true);
    // a fuzzed hello with another ID may take over XC-SCH-001 etc.; this connection's own id is XC-HT-003
    await fuzzSocket(after, fz, noHello, FRAMES / 2, { type: 'heartbeat', data: { seq: 1, uptimeS: 1 } });
    after.close();
    await stillServing();
  });

  it(`console gateway: ${FRAMES} frames from a signed-in officer`, async () => {
    const fz = new Fuzzer(SEED + 1);
    const cookie = await signIn(relay.url);
    const peer = await RawPeer.open(wsUrl('/ws/console'), { cookie });
    expect((await peer.request(1, 'hello', {}))['ok']).toBe(true);
    await fuzzSocket(peer, fz, CONSOLE_TYPES, FRAMES, { type: 'call.hangup', data: { callId: 'no-such-call' } });
    peer.close();
    await stillServing();
  });

  it('HTTP API: 1500 random requests get JSON errors with stable codes, never a 5xx', async () => {
    const fz = new Fuzzer(SEED + 2);
    const cookie = await signIn(relay.url);
    const paths = ['/api/login', '/api/logout', '/api/me', '/api/terminals', '/api/calls', '/api/calls/x', '/healthz', '/api/calls?limit=abc', '/api/calls?limit=-1&terminalId=' + 'x'.repeat(100), '/api/%ZZ', '/api/calls/' + 'x'.repeat(3000), '/../../etc/passwd', '/api/login?__proto__[x]=1'];
    const bad: string[] = [];
    for (let i = 0; i < 1500; i++) {
      const method = fz.pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);
      const url = relay.url + fz.pick(paths);
      const shown = url.slice(0, 80);
      const body = method === 'GET' || method === 'OPTIONS' ? undefined : (fz.frame(i, ['login']) as string | Buffer);
      const headers: Record<string, string> = { 'content-type': fz.pick(['application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1']) };
      if (fz.chance(0.5)) headers['cookie'] = fz.pick([cookie, 'hp_session=forged', 'hp_session=' + 'x'.repeat(5000)]);
      const res = await fetch(url, { method, headers, ...(body === undefined ? {} : { body: body as BodyInit }) });
      const text = await res.text();
      if (res.status >= 500) bad.push(`${method} ${shown} -> ${res.status} ${text.slice(0, 120)}`);
      else if (res.status >= 400 && res.status !== 404) {
        const code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;
        if (!isErrorCode(code)) bad.push(`${method} ${shown} -> ${res.status} without a stable code: ${text.slice(0, 120)}`);
      }
    }
    expect([...new Set(bad)]).toEqual([]);
    await stillServing();
  });
});
