import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceKey } from '../../kiosk/src/enrol/deviceKey.ts';
import { RawPeer, startTestRelay } from '../support/relayHarness.ts';
import { enrolTerminals, signedHello } from '../support/terminalKeys.ts';
import { signIn } from '../support/station.ts';
import { startPlainMediaFeed } from '../support/plainMediaFeed.ts';

/**
 * Issue 16: a nearly full media disk stops recording before it is full,
 * raises the alert (log, /healthz, /metrics) and refuses new snapshots —
 * and the call itself goes on. Here the threshold is set above any disk.
 */
let relay: Awaited<ReturnType<typeof startTestRelay>>;
let keys: Map<string, DeviceKey>;

beforeAll(async () => {
  relay = await startTestRelay({ recordCalls: true, minFreeDiskBytes: 1e18 });
  keys = enrolTerminals(relay.relay, ['XC-HT-003']);
});
afterAll(async () => {
  await relay?.close();
});

describe('disk-space guard', () => {
  it('records nothing, refuses snapshots with disk_full, says so on /healthz and /metrics, and the call still works', async () => {
    const ws = relay.url.replace('http', 'ws');
    const t = await RawPeer.open(`${ws}/ws/terminal`);
    expect((await signedHello(t, 1, 'XC-HT-003', keys.get('XC-HT-003')!))['ok']).toBe(true);
    const cookie = await signIn(relay.url);
    const desk = await RawPeer.open(`${ws}/ws/console`, { cookie });
    expect((await desk.request(1, 'hello', {}))['ok']).toBe(true);
    const r = await t.request(2, 'help.request', { requestId: 'disk-guard-0001' });
    const callId = (r['data'] as { callId: string }).callId;
    const feed = await startPlainMediaFeed(relay.relay.calls.slotForCall(callId).router, ['video', 'audio']);
    for (const p of feed.producers) relay.relay.calls.addTerminalProducer(callId, 'XC-HT-003', p);
    expect((await desk.request(2, 'call.answer', { callId }))['ok']).toBe(true);
    await new Promise((res) => setTimeout(res, 2500));
    expect(relay.relay.repos.media.forCall(callId).filter((m) => m.kind === 'recording')).toEqual([]);
    const jpeg = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=s=64x48', '-frames:v', '1', '-c:v', 'mjpeg', '-f', 'image2', 'pipe:1']);
    const snap = await fetch(`${relay.url}/api/calls/${callId}/snapshots`, { method: 'POST', headers: { cookie, 'content-type': 'image/jpeg' }, body: new Uint8Array(jpeg) });
    expect([snap.status, ((await snap.json()) as { error: { code: string } }).error.code]).toEqual([507, 'disk_full']);
    expect(await (await fetch(`${relay.url}/healthz`)).json()).toMatchObject({ ok: true, diskLow: true });
    expect(await (await fetch(`${relay.url}/metrics`)).text()).toMatch(/^helppoint_recording_paused 1$/m);
    expect(relay.relay.calls.view(callId)?.state).toBe('answered');
    await feed.close();
    desk.close();
    t.close();
  });
});
