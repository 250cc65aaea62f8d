import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallView } from '@helppoint/shared';
import type { CallTransition } from '../../relay/src/calls/CallService.ts';
import { RawPeer, startTestRelay } from '../support/relayHarness.ts';
import { signIn } from '../support/station.ts';
import { enrolTerminals, signedHello } from '../support/terminalKeys.ts';
import type { DeviceKey } from '../../kiosk/src/enrol/deviceKey.ts';

/**
 * Behaviour that falls out of the relay's lifecycle table, through a real
 * relay (SQLite file, mediasoup worker) and raw sockets as consoles and
 * terminals: Decline silences one officer only; the door switch of an idle
 * terminal rings a tamper call above help calls, unless the station turned
 * that off.
 */
type Relay = Awaited<ReturnType<typeof startTestRelay>>;
const T1 = 'XC-SCH-001';
const T2 = 'XC-HT-003';

async function console_(relay: Relay, user: string, password: string): Promise<RawPeer> {
  const cookie = await signIn(relay.url, user, password);
  const c = await RawPeer.open(`${relay.url.replace(/^http/, 'ws')}/ws/console`, { cookie });
  expect((await c.request(1, 'hello', {}))['ok']).toBe(true);
  return c;
}
async function terminal(relay: Relay, id: string, key: DeviceKey): Promise<RawPeer> {
  const t = await RawPeer.open(`${relay.url.replace(/^http/, 'ws')}/ws/terminal`);
  expect((await signedHello(t, 1, id, key))['ok']).toBe(true);
  return t;
}
const viewsOf = (c: RawPeer, callId: string): CallView[] =>
  c.frames.filter((f) => f['type'] === 'call.updated').map((f) => (f['data'] as { call: CallView }).call).filter((v) => v.id === callId);
const dataOf = <T>(frame: Record<string, unknown>) => frame['data'] as T;

describe('decline and tamper calls', () => {
  let relay: Relay;
  let keys: Map<string, DeviceKey>;
  const transitions: CallTransition[] = [];
  beforeAll(async () => {
    relay = await startTestRelay();
    keys = enrolTerminals(relay.relay, [T1, T2]);
    relay.relay.calls.on('transition', (t) => void transitions.push(t));
  });
  afterAll(async () => {
    await relay?.close();
  });

  it('Decline silences that officer only; the call rings on, is answered elsewhere, and records who declined', async () => {
    const wang = await console_(relay, 'officer1', 'demo-officer1');
    const li = await console_(relay, 'officer2', 'demo-officer2');
    const t = await terminal(relay, T1, keys.get(T1)!);
    const { callId } = dataOf<{ callId: string }>(await t.request(2, 'help.request', { requestId: 'press-decline-0001' }));
    await wang.until(() => viewsOf(wang, callId).length > 0);

    const declined = await wang.request(2, 'call.decline', { callId });
    expect(declined['ok']).toBe(true);
    const after = dataOf<{ call: CallView }>(declined).call;
    expect(after.state).toBe('ringing');
    expect(after.declinedBy.map((o) => o.displayName)).toEqual(['值班民警 王磊']);
    // Li's console hears about the decline and still sees a ringing call it has not declined.
    const liView = await li.until(() => viewsOf(li, callId).find((v) => v.declinedBy.length === 1));
    expect(liView.state).toBe('ringing');
    expect(t.frames.some((f) => f['type'] === 'call.ended')).toBe(false); // the resident is still waiting

    const answered = await li.request(3, 'call.answer', { callId });
    expect(dataOf<{ call: CallView }>(answered).call.answeredBy?.displayName).toBe('值班民警 李娜');
    await t.until(() => t.frames.find((f) => f['type'] === 'call.answered'));
    // Declining an answered call is refused and changes nothing.
    expect((await wang.request(4, 'call.decline', { callId }))['error']).toMatchObject({ code: 'call_already_answered' });

    const record = relay.relay.repos.calls;
    expect(record.get(callId)).toMatchObject({ state: 'answered' });
    const declines = record.events(callId).filter((e) => e.type === 'declined');
    expect(declines.map((e) => e.actor)).toEqual([`user:${relay.relay.repos.users.getByUsername('officer1')!.id}`]);
    expect(transitions.filter((x) => x.callId === callId).map((x) => `${x.from ?? '-'}>${x.to}:${x.event}`)).toEqual([
      '->ringing:created',
      'ringing>ringing:decline',
      'ringing>answered:answer',
    ]);
    expect((await li.request(5, 'call.hangup', { callId }))['ok']).toBe(true);
    await t.until(() => t.frames.find((f) => f['type'] === 'call.ended'));
    for (const p of [wang, li, t]) p.close();
  });

  it('the door switch of an idle terminal rings a tamper call that queues above a help call; a busy terminal only alarms', async () => {
    const wang = await console_(relay, 'officer1', 'demo-officer1');
    const t1 = await terminal(relay, T1, keys.get(T1)!);
    const t2 = await terminal(relay, T2, keys.get(T2)!);
    const help = dataOf<{ callId: string }>(await t1.request(2, 'help.request', { requestId: 'press-help-00001' })).callId;
    expect((await t2.request(2, 'alarm', { kind: 'tamper', active: true }))['ok']).toBe(true);
    const updates = () => wang.frames.filter((f) => f['type'] === 'call.updated').map((f) => dataOf<{ call: CallView }>(f).call);
    const tamper = await wang.until(() => updates().find((v) => v.kind === 'tamper' && v.terminal.id === T2));
    expect(tamper.state).toBe('ringing');
    expect(relay.relay.repos.calls.get(tamper.id)).toMatchObject({ kind: 'tamper', state: 'ringing' });
    // Both ring; the console's queue puts tamper first (relay/console/src/selectors.ts queueOrder).
    const open = relay.relay.calls.openCalls().map((c) => [c.kind, c.terminal.id]);
    expect(open).toEqual(expect.arrayContaining([['help', T1], ['tamper', T2]]));

    // The door switch of a terminal already in a call: the fleet alarm only, no second call.
    const before = relay.relay.calls.openCalls().length;
    expect((await t1.request(3, 'alarm', { kind: 'tamper', active: true }))['ok']).toBe(true);
    expect(relay.relay.calls.openCalls().length).toBe(before);
    expect(relay.relay.calls.openCallOf(T1)).toBe(help);
    // The door closing does not end the tamper call: an officer must look.
    expect((await t2.request(3, 'alarm', { kind: 'tamper', active: false }))['ok']).toBe(true);
    expect(relay.relay.calls.openCallOf(T2)).toBe(tamper.id);
    for (const p of [wang, t1, t2]) p.close();
  });
});

describe('tamper calls switched off for a station', () => {
  it('the door switch raises the fleet alarm only', async () => {
    const relay = await startTestRelay({ tamperCalls: false });
    try {
      const keys = enrolTerminals(relay.relay, [T2]);
      const t2 = await terminal(relay, T2, keys.get(T2)!);
      expect((await t2.request(2, 'alarm', { kind: 'tamper', active: true }))['ok']).toBe(true);
      expect(relay.relay.fleet.entry(T2)?.alarm?.active).toBe(true);
      expect(relay.relay.calls.openCalls()).toEqual([]);
      t2.close();
    } finally {
      await relay.close();
    }
  });
});
