import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawPeer, startTestRelay } from '../support/relayHarness.ts';
import { openConsole, signIn } from '../support/station.ts';
import { enrolTerminals, signedHello } from '../support/terminalKeys.ts';
import type { DeviceKey } from '../../kiosk/src/enrol/deviceKey.ts';

/** Missed calls to call back: the list, marking one called back for every console, and everything refused. */
let relay: Awaited<ReturnType<typeof startTestRelay>>;
let keys: Map<string, DeviceKey>;
/** A live (ringing) call from the first test: not a missed call. */
let liveId = '';
beforeAll(async () => {
  relay = await startTestRelay();
  keys = enrolTerminals(relay.relay, ['XC-HT-009']);
});
afterAll(async () => {
  await relay?.close();
});

const api = async (cookie: string, method: string, path: string, body?: unknown) => {
  const res = await fetch(`${relay.url}${path}`, {
    method,
    headers: body === undefined ? { cookie } : { cookie, 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
};
const missedIds = async (cookie: string) => ((await api(cookie, 'GET', '/api/missed-calls')).json['calls'] as { callId: string }[]).map((c) => c.callId);

describe('missed calls to call back', () => {
  it('lists a late press with its location and press time; marking it called back removes it everywhere', async () => {
    const officer1 = await signIn(relay.url);
    const officer2 = await signIn(relay.url, 'officer2', 'demo-officer2');
    const watcher = await openConsole(relay.url, officer2);
    const terminal = await RawPeer.open(`${relay.url.replace('http', 'ws')}/ws/terminal`);
    expect((await signedHello(terminal, 1, 'XC-HT-009', keys.get('XC-HT-009')!))['ok']).toBe(true);
    const pressedAt = Date.now() - 10 * 60_000;
    const sent = await terminal.request(2, 'help.request', { requestId: 'late-cb-0001', pressedAt, late: true });
    const callId = (sent['data'] as { callId: string }).callId;
    liveId = ((await terminal.request(3, 'help.request', { requestId: 'live-cb-0002' }))['data'] as { callId: string }).callId;

    const list = await api(officer1, 'GET', '/api/missed-calls');
    expect(list.status).toBe(200);
    expect(list.json['calls']).toEqual([expect.objectContaining({ callId, terminalId: 'XC-HT-009', pressedAt, address: expect.stringContaining('北京') })]);

    const marked = await api(officer1, 'POST', `/api/calls/${callId}/called-back`, { note: '已回电 误触' });
    expect(marked).toMatchObject({ status: 200, json: { changed: true, calledBack: { callId, by: { displayName: expect.any(String) }, note: '已回电 误触' } } });
    const pushed = await watcher.peer.until(() => watcher.peer.frames.find((f) => f['type'] === 'call.calledBack'));
    expect(pushed['data']).toMatchObject({ callId });
    expect(await missedIds(officer2)).toEqual([]);
    // a second officer marking it too keeps the first record
    expect(await api(officer2, 'POST', `/api/calls/${callId}/called-back`, {})).toMatchObject({ status: 200, json: { changed: false, calledBack: { note: '已回电 误触' } } });

    const admin = await signIn(relay.url, 'admin', 'demo-admin');
    const audit = (await api(admin, 'GET', '/api/audit?limit=20')).json['entries'] as { action: string; target: string }[];
    expect(audit.filter((e) => e.action === 'call.called_back' && e.target === callId)).toHaveLength(1);
    const detail = await api(officer1, 'GET', `/api/calls/${callId}`);
    expect((detail.json['events'] as { type: string }[]).map((e) => e.type)).toContain('called_back');
    terminal.close();
    watcher.peer.close();
  });

  it('refuses bad input and the wrong roles with stable codes, changing nothing', async () => {
    const officer = await signIn(relay.url);
    const code = (r: { json: Record<string, unknown> }) => (r.json['error'] as { code: string } | undefined)?.code;
    expect(code(await api(officer, 'POST', '/api/calls/no-such-call/called-back', {}))).toBe('call_not_found');
    expect(code(await api(officer, 'POST', `/api/calls/${liveId}/called-back`, {}))).toBe('not_a_missed_call');
    expect(((await api(officer, 'GET', `/api/calls/${liveId}`)).json['events'] as { type: string }[]).map((e) => e.type)).not.toContain('called_back');
    expect(code(await api(officer, 'POST', '/api/calls/x/called-back', { note: 'x'.repeat(501) }))).toBe('bad_request');
    expect(code(await api(officer, 'POST', '/api/calls/x/called-back', { calledBy: 1 }))).toBe('bad_request');
    expect(code(await api(officer, 'GET', '/api/missed-calls?limit=0'))).toBe('bad_request');
    expect(code(await api(officer, 'GET', '/api/missed-calls?limit=abc'))).toBe('bad_request');
    const field = await signIn(relay.url, 'field', 'demo-field');
    expect(code(await api(field, 'GET', '/api/missed-calls'))).toBe('forbidden');
    const tech = await signIn(relay.url, 'tech', 'demo-tech');
    expect(code(await api(tech, 'POST', '/api/calls/x/called-back', {}))).toBe('forbidden');
    expect((await fetch(`${relay.url}/api/missed-calls`)).status).toBe(401);
  });
});
