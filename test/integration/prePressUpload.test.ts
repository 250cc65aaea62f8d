import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceKey } from '../../kiosk/src/enrol/deviceKey.ts';
import { SecretRepo } from '../../relay/src/db/SecretRepo.ts';
import { uploadPath } from '../../relay/src/calls/prePressToken.ts';
import { RawPeer, startTestRelay } from '../support/relayHarness.ts';
import { enrolTerminals, signedHello } from '../support/terminalKeys.ts';
import { signIn } from '../support/station.ts';

/**
 * The pre-press clip's relay side (issue 15): call.prePressGrant gives a
 * terminal a signed upload link for its own call only; the upload is checked
 * (token, expiry, call, size, WebM) and kept once, listed first in the call's
 * history. Every refusal leaves no file and no row behind.
 */
let relay: Awaited<ReturnType<typeof startTestRelay>>;
let keys: Map<string, DeviceKey>;
let clip: Buffer;
let n = 10;

beforeAll(async () => {
  relay = await startTestRelay({ recordCalls: false });
  keys = enrolTerminals(relay.relay, ['XC-HT-003', 'XC-HT-006']);
  // A real 2 s VP8 WebM, as the kiosk's encoder makes it.
  const file = path.join(relay.dir, 'clip.webm');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=5', '-t', '2', '-c:v', 'libvpx', '-deadline', 'realtime', '-f', 'webm', file]);
  clip = fs.readFileSync(file);
}, 30_000);
afterAll(async () => {
  await relay?.close();
});

async function terminal(id: string): Promise<RawPeer> {
  const peer = await RawPeer.open(`${relay.url.replace('http', 'ws')}/ws/terminal`);
  expect((await signedHello(peer, 1, id, keys.get(id)!))['ok']).toBe(true);
  return peer;
}
const errorCode = (r: Record<string, unknown>) => (r['error'] as { code?: string } | undefined)?.code;

async function press(peer: RawPeer): Promise<string> {
  const r = await peer.request(n++, 'help.request', { requestId: `req-prepress-${n}-${Date.now()}` });
  return (r['data'] as { callId: string }).callId;
}
async function grant(peer: RawPeer, callId: string, beforeMs = 3000): Promise<Record<string, unknown>> {
  return peer.request(n++, 'call.prePressGrant', { callId, beforeMs });
}
async function upload(url: string, body: Buffer | ReadableStream<Uint8Array>, init: RequestInit = {}): Promise<{ status: number; code: string | undefined; json: Record<string, unknown> }> {
  const res = await fetch(`${relay.url}${url}`, { method: 'POST', headers: { 'content-type': 'video/webm' }, body: Buffer.isBuffer(body) ? new Uint8Array(body) : body, ...init });
  const json = (await res.json()) as Record<string, unknown>;
  return { status: res.status, code: (json['error'] as { code?: string } | undefined)?.code, json };
}
const mediaOf = (callId: string) => relay.relay.repos.media.forCall(callId);
const refusals = (callId: string) => relay.relay.trust.audit.list({ limit: 1000 }).filter((a) => a.action === 'call.prepress' && a.target === callId && a.outcome === 'refused');

describe('pre-press clip upload', () => {
  it('is granted for its own call only, stored once, listed before the call with its label', async () => {
    const t = await terminal('XC-HT-003');
    const other = await terminal('XC-HT-006');
    const callId = await press(t);

    expect(errorCode(await grant(other, callId))).toBe('not_your_call');
    expect(errorCode(await grant(t, 'no-such-call'))).toBe('call_not_found');
    const g = await grant(t, callId, 3000);
    expect(g['ok']).toBe(true);
    const { url, maxBytes } = g['data'] as { url: string; maxBytes: number };
    expect(maxBytes).toBe(8 * 1024 * 1024);

    const saved = await upload(url, clip);
    expect(saved.status).toBe(201);
    const call = relay.relay.repos.calls.get(callId)!;
    expect(saved.json['createdAt']).toBe(call.createdAt - 3000);
    const rows = mediaOf(callId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ kind: 'recording', mime: 'video/webm', bytes: clip.length });
    expect(fs.readFileSync(path.join(relay.relay.mediaDir, rows[0]!.file)).equals(clip)).toBe(true);

    // The history lists it first, as the clip from before the press, not as a segment of the call's recording.
    const cookie = await signIn(relay.url);
    const detail = (await (await fetch(`${relay.url}/api/calls/${callId}`, { headers: { cookie } })).json()) as { media: { prePress?: boolean; segment: number | null; createdAt: number }[]; events: { type: string }[] };
    expect(detail.media[0]).toMatchObject({ prePress: true, segment: null, createdAt: call.createdAt - 3000 });
    expect(detail.events.map((e) => e.type)).toContain('prepress');

    // One clip per call: a second upload on the same link, and a new grant, are refused.
    const again = await upload(url, clip);
    expect([again.status, again.code]).toEqual([409, 'prepress_exists']);
    expect(errorCode(await grant(t, callId))).toBe('prepress_exists');
    expect(mediaOf(callId)).toHaveLength(1);
    t.close();
    other.close();
  });

  it('refuses a bad token, an expired link, another call, a clip over the cap and a body that is not WebM', async () => {
    const t = await terminal('XC-HT-003');
    const other = await terminal('XC-HT-006');
    const callId = await press(t);
    const otherCall = await press(other);
    const { url } = (await grant(t, callId))['data'] as { url: string };
    const secret = new SecretRepo({ db: relay.relay.db }).getOrCreate('kiosk-prepress');

    const cases: [string, string, Buffer, number, string][] = [
      ['no token', url.replace(/&token=[^&]+/, ''), clip, 403, 'prepress_token_invalid'],
      ['a forged token', url.replace(/token=[^&]+/, 'token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'), clip, 403, 'prepress_token_invalid'],
      ['another beforeMs than granted', url.replace('before=3000', 'before=9000'), clip, 403, 'prepress_token_invalid'],
      ['the link used for another call', url.replace(`/api/calls/${callId}/`, `/api/calls/${otherCall}/`), clip, 403, 'prepress_token_invalid'],
      ['an expired link', uploadPath(secret, { terminalId: 'XC-HT-003', callId, beforeMs: 3000, expiresAt: Date.now() - 1 }), clip, 403, 'prepress_token_expired'],
      // Signed right, but for a call of another terminal (a relay secret would be needed; the check behind the token holds anyway).
      ['a call of another terminal', uploadPath(secret, { terminalId: 'XC-HT-003', callId: otherCall, beforeMs: 3000, expiresAt: Date.now() + 60_000 }), clip, 403, 'not_your_call'],
      ['a body that is not WebM', url, Buffer.from('RIFF....WAVEfmt not a webm at all'), 400, 'prepress_not_webm'],
      ['an EBML header and nothing playable', url, Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3]), Buffer.alloc(2000, 7)]), 400, 'prepress_not_webm'],
      ['a declared size over the cap', url, Buffer.concat([clip, Buffer.alloc(8 * 1024 * 1024)]), 413, 'prepress_too_large'],
    ];
    for (const [what, link, body, status, code] of cases) {
      const r = await upload(link, body);
      expect([what, r.status, r.code]).toEqual([what, status, code]);
    }
    // Streamed without a length (12 MiB): refused once past the cap; the rest is drained, not written, so the terminal reads the code.
    const chunk = Buffer.concat([clip, Buffer.alloc(1024 * 1024 - clip.length)]);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent++ < 12) c.enqueue(chunk);
        else c.close();
      },
    });
    const streamed = await upload(url, stream, { duplex: 'half' } as RequestInit);
    expect([streamed.status, streamed.code]).toEqual([413, 'prepress_too_large']);

    expect(mediaOf(callId)).toEqual([]);
    expect(mediaOf(otherCall)).toEqual([]);
    expect(refusals(callId).length + refusals(otherCall).length).toBe(cases.length + 1);
    // Nothing half-written is left on the media disk.
    const day = path.join(relay.relay.mediaDir, 'recordings');
    const left = fs.existsSync(day) ? fs.readdirSync(day, { recursive: true }).map(String).filter((f) => f.includes(callId) || f.includes(otherCall)) : [];
    expect(left).toEqual([]);
    // The right upload still works afterwards.
    expect((await upload(url, clip)).status).toBe(201);
    t.close();
    other.close();
  });
});
