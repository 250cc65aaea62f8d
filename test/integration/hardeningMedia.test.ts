import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { types } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceKey } from '../../kiosk/src/enrol/deviceKey.ts';
import { RawPeer, startTestRelay } from '../support/relayHarness.ts';
import { enrolTerminals, signedHello } from '../support/terminalKeys.ts';
import { signIn } from '../support/station.ts';

/**
 * Issue 16: media is tied to the call. An officer who knows producer ids
 * (the call history shows them) cannot watch or listen to another officer's
 * call; a terminal cannot consume another terminal's call; every consume is
 * audited, audio too; every evidence view is audited once whatever the
 * Range; snapshots are real images, within a quota, on one's own call.
 */
let relay: Awaited<ReturnType<typeof startTestRelay>>;
let ws: string;
let keys: Map<string, DeviceKey>;
let officer1: string;
let officer2: string;
let supervisor: string;
let seq = 100;

beforeAll(async () => {
  relay = await startTestRelay({ recordCalls: false, snapshotsPerCall: 2 });
  ws = relay.url.replace('http', 'ws');
  keys = enrolTerminals(relay.relay, ['XC-HT-003', 'XC-HT-006']);
  officer1 = await signIn(relay.url, 'officer1', 'demo-officer1');
  officer2 = await signIn(relay.url, 'officer2', 'demo-officer2');
  supervisor = await signIn(relay.url, 'supervisor', 'demo-supervisor');
});
afterAll(async () => {
  await relay?.close();
});

async function terminal(id: string): Promise<RawPeer> {
  const peer = await RawPeer.open(`${ws}/ws/terminal`);
  expect((await signedHello(peer, 1, id, keys.get(id)!))['ok']).toBe(true);
  return peer;
}
async function desk(cookie: string): Promise<{ peer: RawPeer; caps: Record<string, unknown> }> {
  const peer = await RawPeer.open(`${ws}/ws/console`, { cookie });
  const hello = await peer.request(1, 'hello', {});
  expect(hello['ok']).toBe(true);
  return { peer, caps: (hello['data'] as { routerRtpCapabilities: Record<string, unknown> }).routerRtpCapabilities };
}
const code = (r: Record<string, unknown>) => (r['ok'] === true ? 'ok' : (r['error'] as { code: string }).code);
const data = <T>(r: Record<string, unknown>) => r['data'] as T;

/** A producer on the call's router without a WebRTC peer (what a terminal's camera or an officer's mic would be). */
let ssrc = 5000;
async function producerOn(router: types.Router, kind: 'audio' | 'video'): Promise<types.Producer> {
  const t = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: false, comedia: true });
  const codec = kind === 'video' ? { mimeType: 'video/VP8', payloadType: 101, clockRate: 90_000 } : { mimeType: 'audio/opus', payloadType: 100, clockRate: 48_000, channels: 2 };
  return t.produce({ kind, rtpParameters: { codecs: [codec], encodings: [{ ssrc: ++ssrc }] } });
}

async function press(t: RawPeer, requestId: string): Promise<string> {
  const r = await t.request(++seq, 'help.request', { requestId });
  expect(r['ok']).toBe(true);
  return data<{ callId: string }>(r).callId;
}

describe('media consumption is authorised against the call', () => {
  it('previews while ringing; after another officer answers, neither new transports nor old previews nor other calls\' transports get the media', async () => {
    const t1 = await terminal('XC-HT-003');
    const t2 = await terminal('XC-HT-006');
    const d1 = await desk(officer1);
    const d2 = await desk(officer2);
    const c1 = await press(t1, 'hardening-media-0001');
    const router = relay.relay.calls.slotForCall(c1).router;
    const video = await producerOn(router, 'video');
    const audio = await producerOn(router, 'audio');
    for (const p of [video, audio]) {
      relay.relay.calls.addTerminalProducer(c1, 'XC-HT-003', p);
      relay.relay.security.media.track(c1, 'terminal', p);
    }

    // While it rings every officer may preview it, and each consume is audited, audio too.
    const pre = await d2.peer.request(++seq, 'rtc.createTransport', { direction: 'recv', callId: c1 });
    expect(code(pre)).toBe('ok');
    const preId = data<{ id: string }>(pre).id;
    expect(code(await d2.peer.request(++seq, 'rtc.consume', { transportId: preId, producerId: video.id, rtpCapabilities: d2.caps }))).toBe('ok');
    expect(code(await d2.peer.request(++seq, 'rtc.consume', { transportId: preId, producerId: audio.id, rtpCapabilities: d2.caps }))).toBe('ok');
    const audited = relay.relay.trust.audit.list({ limit: 100 }).filter((a) => a.actor === 'user:officer2');
    expect(audited.map((a) => a.action)).toEqual(expect.arrayContaining(['camera.view', 'microphone.listen']));

    expect(code(await d1.peer.request(++seq, 'call.answer', { callId: c1 }))).toBe('ok');
    // officer2's preview transport is closed by the answer; a new one is refused.
    const again = await d2.peer.request(++seq, 'rtc.consume', { transportId: preId, producerId: video.id, rtpCapabilities: d2.caps });
    expect(['transport_not_found', 'not_your_call']).toContain(code(again));
    expect(code(await d2.peer.request(++seq, 'rtc.createTransport', { direction: 'recv', callId: c1 }))).toBe('not_your_call');

    // A transport opened for a call officer2 may see (T2 rings) cannot carry T1's media either.
    const c2 = await press(t2, 'hardening-media-0002');
    const other = await d2.peer.request(++seq, 'rtc.createTransport', { direction: 'recv', callId: c2 });
    expect(code(other)).toBe('ok');
    for (const p of [video, audio]) {
      expect(code(await d2.peer.request(++seq, 'rtc.consume', { transportId: data<{ id: string }>(other).id, producerId: p.id, rtpCapabilities: d2.caps }))).toBe('not_your_call');
    }
    const refusals = relay.relay.trust.audit.list({ limit: 100 }).filter((a) => a.actor === 'user:officer2' && a.action === 'media.consume' && a.outcome === 'refused');
    expect(refusals.length).toBeGreaterThanOrEqual(2);

    // The officer who answered gets it.
    const mine = await d1.peer.request(++seq, 'rtc.createTransport', { direction: 'recv', callId: c1 });
    expect(code(await d1.peer.request(++seq, 'rtc.consume', { transportId: data<{ id: string }>(mine).id, producerId: audio.id, rtpCapabilities: d1.caps }))).toBe('ok');

    // Terminals: only the officer audio of their own call.
    const mic = await producerOn(router, 'audio');
    relay.relay.calls.addOfficerProducer(c1, { id: relay.relay.repos.users.getByUsername('officer1')!.id, displayName: 'x' }, mic);
    relay.relay.security.media.track(c1, 'officer', mic);
    const hello = t2.frames.find((f) => f['id'] === 1)!;
    const caps = data<{ routerRtpCapabilities: Record<string, unknown> }>(hello).routerRtpCapabilities;
    const t2Recv = await t2.request(++seq, 'rtc.createTransport', { direction: 'recv' });
    expect(code(await t2.request(++seq, 'rtc.consume', { transportId: data<{ id: string }>(t2Recv).id, producerId: mic.id, rtpCapabilities: caps }))).toBe('not_your_call');
    expect(code(await t2.request(++seq, 'rtc.consume', { transportId: data<{ id: string }>(t2Recv).id, producerId: video.id, rtpCapabilities: caps }))).toBe('not_your_call');
    const t1Recv = await t1.request(++seq, 'rtc.createTransport', { direction: 'recv' });
    expect(code(await t1.request(++seq, 'rtc.consume', { transportId: data<{ id: string }>(t1Recv).id, producerId: mic.id, rtpCapabilities: caps }))).toBe('ok');
    expect(relay.relay.trust.audit.list({ limit: 100 }).some((a) => a.actor === 'terminal:XC-HT-003' && a.action === 'media.consume' && a.outcome === 'ok')).toBe(true);

    for (const p of [t1, t2, d1.peer, d2.peer]) p.close();
  });
});

describe('evidence and snapshots', () => {
  let callId: string;
  beforeAll(async () => {
    const t = await terminal('XC-HT-003');
    const d = await desk(officer1);
    await t.until(() => !relay.relay.calls.openCallOf('XC-HT-003'), 5000);
    callId = await press(t, 'hardening-media-0003');
    expect(code(await d.peer.request(++seq, 'call.answer', { callId }))).toBe('ok');
    expect(code(await d.peer.request(++seq, 'call.hangup', { callId }))).toBe('ok');
    t.close();
    d.peer.close();
  });
  const api = (method: string, url: string, cookie: string, body?: Buffer, type?: string, range?: string) =>
    fetch(`${relay.url}${url}`, { method, headers: { cookie, ...(type ? { 'content-type': type } : {}), ...(range ? { range } : {}) }, ...(body ? { body: new Uint8Array(body) } : {}) });
  const errorOf = async (r: Response) => ((await r.json()) as { error: { code: string } }).error.code;

  it('audits each viewing of a recording once, whatever form its Range requests take, and never skips one', async () => {
    const rel = path.posix.join('recordings', 'test', `${callId}-terminal-1.webm`);
    fs.mkdirSync(path.join(relay.relay.mediaDir, 'recordings', 'test'), { recursive: true });
    fs.writeFileSync(path.join(relay.relay.mediaDir, rel), Buffer.alloc(10_000, 9));
    const row = relay.relay.repos.media.add({ callId, kind: 'recording', file: rel, mime: 'video/webm', bytes: 10_000, createdAt: Date.now(), finishedAt: Date.now(), takenBy: null });
    const views = (actor: string) => relay.relay.trust.audit.list({ limit: 500 }).filter((a) => a.action === 'evidence.view' && a.actor === actor && a.detail?.['mediaId'] === row.id).length;
    // The forms that used to slip through: a start past 0, a multi-range (whole file), a suffix.
    const first = await api('GET', `/api/media/${row.id}`, officer2, undefined, undefined, 'bytes=1-');
    expect(first.status).toBe(206);
    expect((await first.arrayBuffer()).byteLength).toBe(9_999);
    expect(views('user:officer2')).toBe(1);
    for (const range of ['bytes=0-99', 'bytes=-50', 'bytes=0-1,5-9', undefined, 'bytes=5000-']) {
      const r = await api('GET', `/api/media/${row.id}`, officer2, undefined, undefined, range);
      expect([200, 206]).toContain(r.status);
      await r.arrayBuffer();
    }
    expect(views('user:officer2')).toBe(1);
    const multi = await api('GET', `/api/media/${row.id}`, supervisor, undefined, undefined, 'bytes=1-2,4-5');
    expect(multi.status).toBe(200);
    expect((await multi.arrayBuffer()).byteLength).toBe(10_000);
    expect(views('user:supervisor')).toBe(1);
    // A request that serves no bytes is not a view.
    expect((await api('GET', `/api/media/${row.id}`, officer1, undefined, undefined, 'bytes=99999-')).status).toBe(416);
    expect(views('user:officer1')).toBe(0);
    expect(first.headers.get('cache-control')).toContain('no-store');
  });

  it('keeps snapshots only from the officer on the call, only real images, within the quota', async () => {
    const jpeg = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=s=64x48', '-frames:v', '1', '-c:v', 'mjpeg', '-f', 'image2', 'pipe:1']);
    const url = `/api/calls/${callId}/snapshots`;
    const other = await api('POST', url, officer2, jpeg, 'image/jpeg');
    expect([other.status, await errorOf(other)]).toEqual([403, 'not_your_call']);
    const fake = await api('POST', url, officer1, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(300, 1), Buffer.from([0xff, 0xd9])]), 'image/jpeg');
    expect([fake.status, await errorOf(fake)]).toEqual([400, 'bad_image']);
    const polyglot = await api('POST', url, officer1, Buffer.concat([jpeg, Buffer.from('<html><script>alert(1)</script>')]), 'image/jpeg');
    expect(await errorOf(polyglot)).toBe('bad_image');
    expect((await api('POST', url, officer1, jpeg, 'image/jpeg')).status).toBe(200);
    expect((await api('POST', url, officer1, jpeg, 'image/jpeg')).status).toBe(200);
    const over = await api('POST', url, officer1, jpeg, 'image/jpeg');
    expect([over.status, await errorOf(over)]).toEqual([429, 'quota_exceeded']);
    expect(relay.relay.repos.media.forCall(callId).filter((m) => m.kind === 'snapshot').length).toBe(2);
  });
});
