import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawPeer, startTestRelay } from '../support/relayHarness.ts';
import { enrolTerminals, signedHello } from '../support/terminalKeys.ts';

/**
 * The relay's half of recovering a call after a network fault: rtc.restartIce
 * hands out new ICE credentials for a peer's own transport, and a re-join
 * (a new transport for the same call and direction) closes the old transport
 * so its dead producers leave the call. Bad input changes nothing.
 */
let relay: Awaited<ReturnType<typeof startTestRelay>>;
let peer: RawPeer;
let other: RawPeer;
let id = 10;
const errorCode = (frame: Record<string, unknown>) => (frame['error'] as { code: string } | undefined)?.code;
const result = <T>(frame: Record<string, unknown>) => frame['data'] as T;

beforeAll(async () => {
  relay = await startTestRelay();
  const keys = enrolTerminals(relay.relay, ['XC-SCH-001', 'XC-HT-003']);
  const ws = `${relay.url.replace('http', 'ws')}/ws/terminal`;
  peer = await RawPeer.open(ws);
  other = await RawPeer.open(ws);
  await signedHello(peer, 1, 'XC-SCH-001', keys.get('XC-SCH-001')!);
  await signedHello(other, 1, 'XC-HT-003', keys.get('XC-HT-003')!);
});
afterAll(async () => {
  peer?.close();
  other?.close();
  await relay?.close();
});

describe('rtc.restartIce', () => {
  it('returns fresh ICE credentials; a re-join replaces the old transport; bad input is refused', async () => {
    const { callId } = result<{ callId: string }>(await peer.request(id++, 'help.request', { requestId: 'c0ffee00-0000-4000-8000-000000000001' }));
    const t1 = result<{ id: string; iceParameters: { usernameFragment: string; password: string } }>(
      await peer.request(id++, 'rtc.createTransport', { direction: 'send', callId }),
    );
    const restarted = await peer.request(id++, 'rtc.restartIce', { transportId: t1.id });
    const fresh = result<{ iceParameters: { usernameFragment: string; password: string } }>(restarted).iceParameters;
    expect(fresh.usernameFragment).toBeTruthy();
    expect(fresh.usernameFragment).not.toBe(t1.iceParameters.usernameFragment);
    expect(fresh.password).not.toBe(t1.iceParameters.password);

    // Bad input: unknown transport, someone else's transport, malformed ids, extra fields.
    expect(errorCode(await peer.request(id++, 'rtc.restartIce', { transportId: '00000000-0000-4000-8000-000000000000' }))).toBe('transport_not_found');
    expect(errorCode(await other.request(id++, 'rtc.restartIce', { transportId: t1.id }))).toBe('transport_not_found');
    expect(errorCode(await peer.request(id++, 'rtc.restartIce', {}))).toBe('bad_message');
    expect(errorCode(await peer.request(id++, 'rtc.restartIce', { transportId: 42 }))).toBe('bad_message');
    expect(errorCode(await peer.request(id++, 'rtc.restartIce', { transportId: t1.id, iceParameters: {} }))).toBe('bad_message');

    // A re-join: a second send transport for the same call closes the first.
    const t2 = result<{ id: string }>(await peer.request(id++, 'rtc.createTransport', { direction: 'send', callId }));
    expect(errorCode(await peer.request(id++, 'rtc.restartIce', { transportId: t1.id }))).toBe('transport_not_found');
    expect(result(await peer.request(id++, 'rtc.restartIce', { transportId: t2.id }))).toHaveProperty('iceParameters');
    // A receive transport of the same call is not touched by it.
    const r1 = result<{ id: string }>(await peer.request(id++, 'rtc.createTransport', { direction: 'recv', callId }));
    expect(result(await peer.request(id++, 'rtc.restartIce', { transportId: t2.id }))).toHaveProperty('iceParameters');
    expect(result(await peer.request(id++, 'rtc.restartIce', { transportId: r1.id }))).toHaveProperty('iceParameters');

    // The terminal gives up: the call ends as media_failed, once; an unknown reason is refused.
    expect(errorCode(await peer.request(id++, 'help.cancel', { callId, reason: 'bored' }))).toBe('bad_message');
    expect(relay.relay.repos.calls.get(callId)?.state).toBe('ringing');
    expect(result(await peer.request(id++, 'help.cancel', { callId, reason: 'media_failed' }))).toEqual({});
    expect(relay.relay.repos.calls.get(callId)).toMatchObject({ state: 'ended', endReason: 'media_failed', endedBy: 'terminal' });
  });
});
