import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceKey } from '../../kiosk/src/enrol/deviceKey.ts';
import { RawPeer, startTestRelay } from '../support/relayHarness.ts';
import { enrolTerminals, signedHello } from '../support/terminalKeys.ts';
import { signIn as signInAt } from '../support/station.ts';

/**
 * Look-in on the relay with raw sockets (no media): who may, which terminals
 * refuse and why, the audit rows, that no other console hears of it, and a
 * press during a look-in ringing every console as a real help call.
 */
let relay: Awaited<ReturnType<typeof startTestRelay>>;
let wsBase: string;
let officer1: string;
let officer2: string;
let tech: string;
let keys: Map<string, DeviceKey>;

beforeAll(async () => {
  relay = await startTestRelay({ recordCalls: false });
  wsBase = relay.url.replace('http', 'ws');
  keys = enrolTerminals(relay.relay, ['XC-HT-003', 'XC-HT-006', 'XC-KG-005']);
  officer1 = await signIn('officer1', 'demo-officer1');
  officer2 = await signIn('officer2', 'demo-officer2');
  tech = await signIn('tech', 'demo-tech');
});
afterAll(async () => {
  await relay?.close();
});

const signIn = (username: string, password: string): Promise<string> => signInAt(relay.url, username, password);

async function terminal(id: string): Promise<RawPeer> {
  const peer = await RawPeer.open(`${wsBase}/ws/terminal`);
  const r = await signedHello(peer, 1, id, keys.get(id)!);
  expect(r['ok']).toBe(true);
  return peer;
}

async function consoleOf(cookie: string): Promise<RawPeer> {
  const c = await RawPeer.open(`${wsBase}/ws/console`, { cookie });
  expect((await c.request(1, 'hello', {}))['ok']).toBe(true);
  return c;
}

type CallLike = { id: string; state: string; kind: string; endReason: string | null; answeredBy: { displayName: string } | null; terminal: { id: string } };
const updates = (c: RawPeer) => c.frames.filter((f) => f['type'] === 'call.updated').map((f) => (f['data'] as { call: CallLike }).call);
const errorCode = (r: Record<string, unknown>) => (r['error'] as { code?: string } | undefined)?.code;
const auditRows = (target: string) => relay.relay.trust.audit.list({ limit: 500 }).filter((a) => a.action === 'camera.lookin' && a.target === target);

let seq = 10;

describe('look-in', () => {
  it('opens an idle terminal for the officer only: the terminal is told, the audit log has it, other consoles see nothing', async () => {
    const desk1 = await consoleOf(officer1);
    const desk2 = await consoleOf(officer2);
    const t = await terminal('XC-HT-003');
    const r = await desk1.request(++seq, 'lookin.start', { terminalId: 'XC-HT-003' });
    expect(r['ok']).toBe(true);
    const call = (r['data'] as { call: CallLike }).call;
    expect(call).toMatchObject({ kind: 'lookin', state: 'answered', terminal: { id: 'XC-HT-003' } });
    expect(call.answeredBy?.displayName).toBeTruthy();

    const started = await t.until(() => t.frames.find((f) => f['type'] === 'lookin.started'));
    expect(started['data']).toEqual({ callId: call.id });
    expect(auditRows('XC-HT-003').find((a) => a.outcome === 'ok' && (a.detail as { callId?: string }).callId === call.id)).toMatchObject({ actor: 'user:officer1' });

    // a second look-in at a busy terminal is refused, and so is any by another officer
    expect(errorCode(await desk2.request(++seq, 'lookin.start', { terminalId: 'XC-HT-003' }))).toBe('terminal_busy');
    // another officer cannot take it over or hang it up
    expect(errorCode(await desk2.request(++seq, 'call.answer', { callId: call.id }))).toBe('call_already_answered');
    expect(errorCode(await desk2.request(++seq, 'call.hangup', { callId: call.id }))).toBe('not_your_call');

    // closing it: the terminal hears call.ended, the record is an ended look-in with the officer
    expect((await desk1.request(++seq, 'call.hangup', { callId: call.id }))['ok']).toBe(true);
    const ended = await t.until(() => t.frames.find((f) => f['type'] === 'call.ended'));
    expect(ended['data']).toEqual({ callId: call.id, reason: 'officer_hangup' });
    await desk1.until(() => updates(desk1).find((c) => c.id === call.id && c.state === 'ended'));
    const history = await fetch(`${relay.url}/api/calls?kind=lookin`, { headers: { cookie: officer1 } }).then((res) => res.json() as Promise<{ calls: { id: string; kind: string }[] }>);
    expect(history.calls.map((c) => c.id)).toContain(call.id);
    const helpOnly = await fetch(`${relay.url}/api/calls?kind=help`, { headers: { cookie: officer1 } }).then((res) => res.json() as Promise<{ calls: { id: string }[] }>);
    expect(helpOnly.calls.map((c) => c.id)).not.toContain(call.id);

    // the other desk never heard of it (nothing rang there)
    expect(updates(desk2).filter((c) => c.id === call.id)).toEqual([]);
    for (const p of [desk1, desk2, t]) p.close();
  });

  it('refuses with stable codes and changes nothing: unknown terminal, offline terminal, terminal in a call, a role without the permission, bad input', async () => {
    const desk = await consoleOf(officer1);
    const techDesk = await consoleOf(tech);
    expect(errorCode(await desk.request(++seq, 'lookin.start', { terminalId: 'XC-NOPE-999' }))).toBe('unknown_terminal');
    expect(errorCode(await desk.request(++seq, 'lookin.start', { terminalId: 'XC-KG-005' }))).toBe('terminal_offline');
    expect(errorCode(await desk.request(++seq, 'lookin.start', { terminalId: 'not a location' }))).toBe('bad_message');
    expect(errorCode(await desk.request(++seq, 'lookin.start', { terminalId: 'XC-HT-006', extra: 1 }))).toBe('bad_message');
    expect(errorCode(await desk.request(++seq, 'lookin.start', {}))).toBe('bad_message');

    const t = await terminal('XC-HT-006');
    expect(errorCode(await techDesk.request(++seq, 'lookin.start', { terminalId: 'XC-HT-006' }))).toBe('forbidden');
    const press = await t.request(++seq, 'help.request', { requestId: `req-lookin-${Date.now()}` });
    const helpId = (press['data'] as { callId: string }).callId;
    expect(errorCode(await desk.request(++seq, 'lookin.start', { terminalId: 'XC-HT-006' }))).toBe('terminal_busy');
    expect(t.frames.some((f) => f['type'] === 'lookin.started')).toBe(false);
    // the help call still rings, untouched
    expect(updates(desk).filter((c) => c.id === helpId).at(-1)?.state).toBe('ringing');

    const refused = relay.relay.trust.audit.list({ limit: 500 }).filter((a) => a.action === 'camera.lookin' && a.outcome === 'refused');
    expect(refused.map((a) => (a.detail as { code: string }).code)).toEqual(expect.arrayContaining(['unknown_terminal', 'terminal_offline', 'forbidden', 'terminal_busy']));
    expect(refused.find((a) => (a.detail as { code: string }).code === 'forbidden')?.actor).toBe('user:tech');
    for (const p of [desk, techDesk, t]) p.close();
  });

  it('a press during a look-in ends the look-in and rings every console with a new help call', async () => {
    const desk1 = await consoleOf(officer1);
    const desk2 = await consoleOf(officer2);
    const t = await terminal('XC-HT-003');
    const r = await desk1.request(++seq, 'lookin.start', { terminalId: 'XC-HT-003' });
    const lookinId = ((r['data'] as { call: CallLike }).call).id;
    const press = await t.request(++seq, 'help.request', { requestId: `req-press-${Date.now()}` });
    const { callId, created } = press['data'] as { callId: string; created: boolean };
    expect(created).toBe(true);
    expect(callId).not.toBe(lookinId);
    for (const desk of [desk1, desk2]) {
      const ringing = await desk.until(() => updates(desk).find((c) => c.id === callId && c.state === 'ringing'));
      expect(ringing.kind).toBe('help');
    }
    const ended = await desk1.until(() => updates(desk1).find((c) => c.id === lookinId && c.state === 'ended'));
    expect(ended.endReason).toBe('terminal_hangup');
    expect(t.frames.find((f) => f['type'] === 'call.ended' && (f['data'] as { callId: string }).callId === lookinId)).toBeTruthy();
    for (const p of [desk1, desk2, t]) p.close();
  });
});
