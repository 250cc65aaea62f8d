import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawPeer, startTestRelay } from '../support/relayHarness.ts';
import { enrolTerminals, signedHello } from '../support/terminalKeys.ts';
import type { DeviceKey } from '../../kiosk/src/enrol/deviceKey.ts';
import { signIn as signInAt } from '../support/station.ts';

let relay: Awaited<ReturnType<typeof startTestRelay>>;
let wsBase: string;
let keys: Map<string, DeviceKey>;
const hello = (peer: RawPeer, id: number, terminalId: string) => signedHello(peer, id, terminalId, keys.get(terminalId)!);

beforeAll(async () => {
  relay = await startTestRelay();
  wsBase = relay.url.replace('http', 'ws');
  keys = enrolTerminals(relay.relay, ['XC-SCH-001', 'XC-KG-002', 'XC-HT-003', 'XC-SCH-004']);
});
afterAll(async () => {
  await relay?.close();
});

const errorCode = (frame: Record<string, unknown>) => (frame['error'] as { code: string } | undefined)?.code;

async function healthy(): Promise<void> {
  const res = await fetch(`${relay.url}/healthz`);
  expect(res.status).toBe(200);
  expect(((await res.json()) as { ok: boolean }).ok).toBe(true);
}

const signIn = (username = 'officer1', password = 'demo-officer1'): Promise<string> => signInAt(relay.url, username, password);

describe('terminal gateway refuses bad input with stable codes and keeps serving', () => {
  it('malformed JSON, non-objects, unknown types, wrong types, binary frames', async () => {
    const peer = await RawPeer.open(`${wsBase}/ws/terminal`);
    expect(errorCode(await peer.sendRaw('{"id":1,"type":', null))).toBe('bad_json');
    expect(errorCode(await peer.sendRaw('[]', null))).toBe('bad_message');
    expect(errorCode(await peer.request(2, 'format.disk', {}))).toBe('unknown_type');
    expect(errorCode(await peer.request(3, 'hello', { terminalId: 42, version: '1' }))).toBe('bad_message');
    expect(errorCode(await peer.request(4, 'hello', { terminalId: 'XC-SCH-001' }))).toBe('bad_message');
    expect(errorCode(await peer.sendRaw(Buffer.from([1, 2, 3]), null))).toBe('bad_message');
    // still the same open connection, and hello still works on it
    const ok = await hello(peer, 5, 'XC-SCH-001');
    expect(ok['ok']).toBe(true);
    expect(peer.closed).toBeNull();
    peer.close();
    await healthy();
  });

  it('requests before hello are refused', async () => {
    const peer = await RawPeer.open(`${wsBase}/ws/terminal`);
    expect(errorCode(await peer.request(1, 'help.request', { requestId: 'abcdefgh1234' }))).toBe('hello_required');
    expect(errorCode(await peer.request(2, 'rtc.createTransport', { direction: 'send' }))).toBe('hello_required');
    peer.close();
  });

  it('an unknown terminal is refused and disconnected', async () => {
    const peer = await RawPeer.open(`${wsBase}/ws/terminal`);
    expect(errorCode(await signedHello(peer, 1, 'XC-NOPE-999', keys.get('XC-SCH-001')!))).toBe('unknown_terminal');
    expect((await peer.waitClosed()).code).toBe(4004);
    await healthy();
  });

  it('an oversized frame gets frame_too_large; a huge one closes with 1009; the relay keeps serving', async () => {
    const peer = await RawPeer.open(`${wsBase}/ws/terminal`);
    const big = JSON.stringify({ id: 9, type: 'hello', data: { terminalId: 'XC-SCH-001', version: 'x'.repeat(100_000) } });
    expect(errorCode(await peer.sendRaw(big, null))).toBe('frame_too_large');
    expect(peer.closed).toBeNull();
    peer.ws.send('x'.repeat(2 * 1024 * 1024));
    expect((await peer.waitClosed()).code).toBe(1009);
    await healthy();
  });

  it('a second hello, a cancel of a call that is not ours, and a request id reused across terminals are refused', async () => {
    const a = await RawPeer.open(`${wsBase}/ws/terminal`);
    await hello(a, 1, 'XC-KG-002');
    expect(errorCode(await hello(a, 2, 'XC-KG-002'))).toBe('already_hello');
    const call = await a.request(3, 'help.request', { requestId: 'shared-request-1' });
    expect(call['ok']).toBe(true);
    const callId = (call['data'] as { callId: string }).callId;
    const b = await RawPeer.open(`${wsBase}/ws/terminal`);
    await hello(b, 1, 'XC-HT-003');
    expect(errorCode(await b.request(2, 'help.cancel', { callId }))).toBe('not_your_call');
    expect(errorCode(await b.request(3, 'help.request', { requestId: 'shared-request-1' }))).toBe('bad_message');
    expect(errorCode(await b.request(4, 'rtc.connectTransport', { transportId: 'nope', dtlsParameters: {} }))).toBe('transport_not_found');
    // the call is untouched by all that
    expect(relay.relay.repos.calls.get(callId)?.state).toBe('ringing');
    // a retry of the same press is the same call, not a second one
    const again = await a.request(4, 'help.request', { requestId: 'shared-request-1' });
    expect(again['data']).toEqual({ callId, created: false });
    a.close();
    b.close();
  });

  it('a newer connection for the same terminal replaces the old one', async () => {
    const first = await RawPeer.open(`${wsBase}/ws/terminal`);
    await hello(first, 1, 'XC-SCH-004');
    const second = await RawPeer.open(`${wsBase}/ws/terminal`);
    await hello(second, 1, 'XC-SCH-004');
    expect((await first.waitClosed()).code).toBe(4001);
    expect(relay.relay.presence.isOnline('XC-SCH-004')).toBe(true);
    second.close();
  });
});

describe('console gateway', () => {
  it('refuses a console without a valid session', async () => {
    const peer = await RawPeer.open(`${wsBase}/ws/console`);
    expect((await peer.waitClosed()).code).toBe(4003);
    const forged = await RawPeer.open(`${wsBase}/ws/console`, { cookie: 'hp_session=forged-token' });
    expect((await forged.waitClosed()).code).toBe(4003);
  });

  it('refuses bad frames, unknown calls and answers by roles that may not take calls', async () => {
    const peer = await RawPeer.open(`${wsBase}/ws/console`, { cookie: await signIn() });
    const hello = await peer.request(1, 'hello', {});
    expect(hello['ok']).toBe(true);
    expect((hello['data'] as { terminals: unknown[] }).terminals.length).toBeGreaterThanOrEqual(20);
    expect(errorCode(await peer.sendRaw('not json', null))).toBe('bad_json');
    expect(errorCode(await peer.request(2, 'call.answer', { callId: 5 }))).toBe('bad_message');
    expect(errorCode(await peer.request(3, 'call.answer', { callId: 'no-such-call' }))).toBe('call_not_found');
    // Only the warm receive transport may be made without a call (issue 15); talking needs a call.
    expect(errorCode(await peer.request(4, 'rtc.createTransport', { direction: 'send' }))).toBe('bad_message');
    expect((await peer.request(6, 'rtc.createTransport', { direction: 'recv' }))['ok']).toBe(true);
    expect(errorCode(await peer.request(5, 'rtc.createTransport', { direction: 'sideways', callId: 'x' }))).toBe('bad_message');
    peer.close();

    const field = await RawPeer.open(`${wsBase}/ws/console`, { cookie: await signIn('field', 'demo-field') });
    await field.request(1, 'hello', {});
    expect(errorCode(await field.request(2, 'call.answer', { callId: 'whatever' }))).toBe('forbidden');
    field.close();
    await healthy();
  });
});

describe('HTTP API', () => {
  const post = (path: string, body: string, type = 'application/json') =>
    fetch(`${relay.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });

  it('login: malformed JSON, wrong types, wrong password, unknown user', async () => {
    const bad = await post('/api/login', '{"username":');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('bad_json');
    const types = await post('/api/login', JSON.stringify({ username: 1, password: [] }));
    expect(((await types.json()) as { error: { code: string } }).error.code).toBe('bad_request');
    const wrong = await post('/api/login', JSON.stringify({ username: 'officer1', password: 'guess' }));
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: { code: string } }).error.code).toBe('invalid_credentials');
    const nobody = await post('/api/login', JSON.stringify({ username: 'mallory', password: 'x' }));
    expect(nobody.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
  });

  it('API needs a session; oversized bodies are refused', async () => {
    const res = await fetch(`${relay.url}/api/calls`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
    const huge = await post('/api/login', JSON.stringify({ username: 'a', password: 'x'.repeat(100_000) }));
    expect(huge.status).toBe(413);
    const nf = await fetch(`${relay.url}/api/nothing-here`);
    expect(((await nf.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });
});
