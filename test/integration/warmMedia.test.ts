import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawPeer, startTestRelay } from '../support/relayHarness.ts';
import { enrolTerminals, signedHello } from '../support/terminalKeys.ts';
import { openConsole, signIn } from '../support/station.ts';

/**
 * The relay's half of warm media (issue 15): a terminal's transports and its
 * camera and microphone producers exist while it is idle, standing by (no
 * call, so nobody may consume them); a press puts them into the new call, so
 * its very first call.updated already carries the picture. A console's
 * receive transport exists (and is connected by a consumer of a beacon that
 * never sends) while it is signed in; calls on another worker are piped to it.
 * As a call rings, the relay makes its consumers on that warm transport itself
 * and offers them (rtc.consumersOffered), so the console only builds and
 * resumes them.
 */
const VP8 = { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90_000 }], encodings: [{ ssrc: 2_222_001 }] };
const OPUS = { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48_000, channels: 2 }], encodings: [{ ssrc: 2_222_002 }] };

let relay: Awaited<ReturnType<typeof startTestRelay>>;
let terminal: RawPeer;
let officer: Awaited<ReturnType<typeof openConsole>>;
let tech: Awaited<ReturnType<typeof openConsole>>;
let id = 10;
const ok = <T>(frame: Record<string, unknown>): T => {
  if (frame['ok'] !== true) throw new Error(`refused: ${JSON.stringify(frame)}`);
  return frame['data'] as T;
};
const errorCode = (frame: Record<string, unknown>) => (frame['error'] as { code: string } | undefined)?.code;
type Call = { id: string; state: string; producers: { id: string; kind: string }[] };
type Offer = { callId: string; consumers: { id: string; producerId: string; kind: string; rtpParameters: { codecs: { mimeType: string }[] } }[] };
const offersTo = (peer: RawPeer, callId: string): Offer[] =>
  peer.frames.filter((f) => f['type'] === 'rtc.consumersOffered').map((f) => f['data'] as Offer).filter((o) => o.callId === callId);

beforeAll(async () => {
  // Two workers: the terminal lands on one, the console's warm transport on the other.
  relay = await startTestRelay({ numWorkers: 2 });
  const keys = enrolTerminals(relay.relay, ['XC-SCH-001']);
  terminal = await RawPeer.open(`${relay.url.replace('http', 'ws')}/ws/terminal`);
  ok(await signedHello(terminal, 1, 'XC-SCH-001', keys.get('XC-SCH-001')!));
  officer = await openConsole(relay.url, await signIn(relay.url));
  tech = await openConsole(relay.url, await signIn(relay.url, 'tech', 'demo-tech'));
}, 60_000);
afterAll(async () => {
  terminal?.close();
  officer?.peer.close();
  tech?.peer.close();
  await relay?.close();
});

describe('warm media', () => {
  let send: { id: string };
  let video: string;
  let audio: string;
  let recv: { id: string };

  it('a terminal produces while idle: standing producers nobody can consume', async () => {
    send = ok(await terminal.request(id++, 'rtc.createTransport', { direction: 'send' }));
    video = ok<{ producerId: string }>(await terminal.request(id++, 'rtc.produce', { transportId: send.id, kind: 'video', rtpParameters: VP8 })).producerId;
    audio = ok<{ producerId: string }>(await terminal.request(id++, 'rtc.produce', { transportId: send.id, kind: 'audio', rtpParameters: OPUS })).producerId;
    expect(officer.updates()).toEqual([]);

    // The console's warm receive transport: no call named, connected through the beacon.
    recv = ok(await officer.peer.request(id++, 'rtc.createTransport', { direction: 'recv' }));
    const caps = relay.relay.pool.routerRtpCapabilities as unknown as Record<string, unknown>;
    const beacon = ok<{ id: string; kind: string; producerId: string }>(await officer.peer.request(id++, 'rtc.warmUp', { transportId: recv.id, rtpCapabilities: caps }));
    expect(beacon.kind).toBe('audio');
    expect([video, audio]).not.toContain(beacon.producerId);
    // The beacon's consumer cannot be resumed (it is not a consumer of anything a person sees).
    expect(errorCode(await officer.peer.request(id++, 'rtc.resumeConsumer', { consumerId: beacon.id }))).toBe('consumer_not_found');

    // Idle: the camera is in no call, so no console may look at it.
    expect(errorCode(await officer.peer.request(id++, 'rtc.consume', { transportId: recv.id, producerId: video, rtpCapabilities: caps }))).toBe('cannot_consume');
  });

  it('a press puts the standing producers into the call: the first call.updated has the picture; the console consumes it on its warm transport', async () => {
    const { callId } = ok<{ callId: string }>(await terminal.request(id++, 'help.request', { requestId: 'c0ffee00-0000-4000-8000-0000000000a1' }));
    const first = await officer.peer.until(() => officer.updates().find((c) => c.id === callId));
    expect((first as unknown as Call).producers.map((p) => p.id).sort()).toEqual([video, audio].sort());

    // The relay offered both consumers on the warm transport right after the ring, video first; each resumes.
    const [offer] = await officer.peer.until(() => (offersTo(officer.peer, callId).length ? offersTo(officer.peer, callId) : undefined));
    expect(offer!.consumers.map((c) => [c.kind, c.producerId])).toEqual([['video', video], ['audio', audio]]);
    expect(offer!.consumers[0]!.rtpParameters.codecs[0]!.mimeType).toBe('video/VP8');
    for (const c of offer!.consumers) expect(ok(await officer.peer.request(id++, 'rtc.resumeConsumer', { consumerId: c.id }))).toEqual({});
    // Each offered consumer is audited as the officer looking and listening, like one asked for.
    const audited = relay.relay.trust.audit.list({ limit: 50 }).filter((a) => a.actor === 'user:officer1' && a.target === 'XC-SCH-001' && (a.detail as { callId?: string } | null)?.callId === callId);
    expect(audited.map((a) => a.action).sort()).toEqual(['camera.view', 'microphone.listen']);
    // A console may still ask itself (an offer that came too late, a rebuilt transport).
    const caps = relay.relay.pool.routerRtpCapabilities as unknown as Record<string, unknown>;
    const consumer = ok<{ id: string; kind: string; producerId: string }>(await officer.peer.request(id++, 'rtc.consume', { transportId: recv.id, producerId: video, rtpCapabilities: caps }));
    expect(consumer).toMatchObject({ kind: 'video', producerId: video });
    expect(ok(await officer.peer.request(id++, 'rtc.resumeConsumer', { consumerId: consumer.id }))).toEqual({});
    // The technician's console (no warm transport, may not take calls) is offered nothing.
    expect(offersTo(tech.peer, callId)).toEqual([]);
    // A technician sees no call media at all.
    expect(errorCode(await tech.peer.request(id++, 'rtc.createTransport', { direction: 'recv' }))).toBe('forbidden');

    // Cancelled: the call ends, the terminal's transport and producers stay for the next press.
    ok(await terminal.request(id++, 'help.cancel', { callId }));
    await officer.peer.until(() => officer.updates().some((c) => c.id === callId && c.state === 'ended'));
    expect(errorCode(await officer.peer.request(id++, 'rtc.consume', { transportId: recv.id, producerId: audio, rtpCapabilities: caps }))).toBe('cannot_consume');
    const { callId: second } = ok<{ callId: string }>(await terminal.request(id++, 'help.request', { requestId: 'c0ffee00-0000-4000-8000-0000000000a2' }));
    const next = await officer.peer.until(() => officer.updates().find((c) => c.id === second));
    expect((next as unknown as Call).producers.map((p) => p.id).sort()).toEqual([video, audio].sort());
    // The next call is offered afresh: the ended call's consumers closed with it.
    const [again] = await officer.peer.until(() => (offersTo(officer.peer, second).length ? offersTo(officer.peer, second) : undefined));
    expect(again!.consumers.map((c) => c.producerId)).toEqual([video, audio]);
    expect(again!.consumers.map((c) => c.id)).not.toContain(offer!.consumers[0]!.id);
    expect(ok(await terminal.request(id++, 'rtc.restartIce', { transportId: send.id }))).toHaveProperty('iceParameters');
  });

  it('a terminal re-joining mid-call: the new warm transport replaces the old, its producers join the open call', async () => {
    const callId = (officer.updates().at(-1) as unknown as Call).id;
    const before = officer.updates().length;
    const fresh = ok<{ id: string }>(await terminal.request(id++, 'rtc.createTransport', { direction: 'send' }));
    expect(errorCode(await terminal.request(id++, 'rtc.restartIce', { transportId: send.id }))).toBe('transport_not_found');
    // The old producers left the call with their transport.
    await officer.peer.until(() => officer.updates().slice(before).some((c) => c.id === callId && (c as unknown as Call).producers.length === 0));
    const again = ok<{ producerId: string }>(await terminal.request(id++, 'rtc.produce', { transportId: fresh.id, kind: 'video', rtpParameters: VP8 })).producerId;
    const joined = await officer.peer.until(() => officer.updates().slice(before).find((c) => c.id === callId && (c as unknown as Call).producers.some((p) => p.id === again)));
    expect((joined as unknown as Call).state).toBe('ringing');
    // Still ringing: the new producer is offered (only it: the others were offered before).
    const offered = await officer.peer.until(() => offersTo(officer.peer, callId).find((o) => o.consumers.some((c) => c.producerId === again)));
    expect(offered.consumers.map((c) => c.producerId)).toEqual([again]);
  });

  it('refuses warm-up and produce requests that make no sense', async () => {
    const caps = relay.relay.pool.routerRtpCapabilities as unknown as Record<string, unknown>;
    const tsend = ok<{ id: string }>(await terminal.request(id++, 'rtc.createTransport', { direction: 'send' }));
    expect(errorCode(await terminal.request(id++, 'rtc.warmUp', { transportId: tsend.id, rtpCapabilities: caps }))).toBe('bad_message');
    expect(errorCode(await terminal.request(id++, 'rtc.warmUp', { transportId: '00000000-0000-4000-8000-000000000000', rtpCapabilities: caps }))).toBe('transport_not_found');
    expect(errorCode(await terminal.request(id++, 'rtc.warmUp', { transportId: tsend.id }))).toBe('bad_message');
    // Officers talk into a call, never into nothing: no warm send transport for a console.
    expect(errorCode(await officer.peer.request(id++, 'rtc.createTransport', { direction: 'send' }))).toBe('bad_message');
  });
});
