import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawPeer, startTestRelay } from '../support/relayHarness.ts';
import { listCalls, openConsole, signIn } from '../support/station.ts';
import { enrolTerminals, signedHello } from '../support/terminalKeys.ts';
import type { DeviceKey } from '../../kiosk/src/enrol/deviceKey.ts';

/** The relay's side of a late outbox delivery: a missed call for the officers, never a ringing one, never two. */
let relay: Awaited<ReturnType<typeof startTestRelay>>;
let keys: Map<string, DeviceKey>;
beforeAll(async () => {
  relay = await startTestRelay();
  keys = enrolTerminals(relay.relay, ['XC-KG-002', 'XC-SCH-004']);
});
afterAll(async () => {
  await relay?.close();
});

describe('a press delivered late from the outbox', () => {
  it('shows on every console as a missed call with the press time, and repeats return the same call', async () => {
    const cookie = await signIn(relay.url);
    const officer = await openConsole(relay.url, cookie);
    const terminal = await RawPeer.open(`${relay.url.replace('http', 'ws')}/ws/terminal`);
    expect((await signedHello(terminal, 1, 'XC-KG-002', keys.get('XC-KG-002')!))['ok']).toBe(true);

    const pressedAt = Date.now() - 5 * 60_000;
    const first = await terminal.request(2, 'help.request', { requestId: 'offline-0001', pressedAt, late: true });
    expect(first).toMatchObject({ ok: true, data: { created: true, missed: true } });
    const again = await terminal.request(3, 'help.request', { requestId: 'offline-0001', pressedAt, late: true });
    expect(again).toMatchObject({ ok: true, data: { created: false, missed: true, callId: (first['data'] as { callId: string }).callId } });
    // the live path with the same id (the machine and the courier raced) is the same call too
    const live = await terminal.request(4, 'help.request', { requestId: 'offline-0001' });
    expect(live).toMatchObject({ ok: true, data: { created: false, missed: true } });

    const seen = await officer.peer.until(() => officer.updates().find((c) => c.endReason === 'missed'));
    expect(seen).toMatchObject({ state: 'ended', terminal: { id: 'XC-KG-002' }, pressedAt });
    expect(officer.updates().filter((c) => c.state === 'ringing')).toEqual([]);
    expect(await listCalls(relay.url, cookie, 'XC-KG-002')).toHaveLength(1);

    // A missed call does not block the terminal: the next live press rings.
    const next = await terminal.request(5, 'help.request', { requestId: 'live-press-0002' });
    expect(next).toMatchObject({ ok: true, data: { created: true } });
    expect((next['data'] as { missed?: boolean }).missed).toBeUndefined();
    terminal.close();
    officer.peer.close();
  });

  it('refuses bad delivery fields with bad_message and records nothing', async () => {
    const terminal = await RawPeer.open(`${relay.url.replace('http', 'ws')}/ws/terminal`);
    expect((await signedHello(terminal, 1, 'XC-SCH-004', keys.get('XC-SCH-004')!))['ok']).toBe(true);
    const code = (f: Record<string, unknown>) => (f['error'] as { code: string } | undefined)?.code;
    expect(code(await terminal.request(2, 'help.request', { requestId: 'offline-0009', pressedAt: -1, late: true }))).toBe('bad_message');
    expect(code(await terminal.request(3, 'help.request', { requestId: 'offline-0009', pressedAt: 1.5 }))).toBe('bad_message');
    expect(code(await terminal.request(4, 'help.request', { requestId: 'offline-0009', late: 'yes' }))).toBe('bad_message');
    const cookie = await signIn(relay.url);
    expect(await listCalls(relay.url, cookie, 'XC-SCH-004')).toHaveLength(0);
    terminal.close();
  });
});
