import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallState } from '../call/CallMachine.ts';
import { PrePressBuffer, type PrePressClip } from './PrePressBuffer.ts';
import { PrePressEvidence } from './PrePressEvidence.ts';

const W = 32;
const H = 24;
const state = (name: CallState['name'], callId: string | null = null): CallState => ({ name, callId, requestId: 'req-00000001', redials: 0 });
let server: http.Server | null = null;
/** The clip is handed over on a microtask once complete; the upload starts after it. */
const tick = () => new Promise((r) => setTimeout(r, 0));
afterEach(() => server?.close());

/** A relay stand-in: answers the grant, keeps what is POSTed (and how long each took to arrive); `answers` fail the first POSTs. */
async function fakeRelay(answers: { status: number; code: string }[] = []) {
  const posts: { url: string; type: string; body: Buffer; ms?: number }[] = [];
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    const t0 = Date.now();
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      posts.push({ url: req.url ?? '', type: req.headers['content-type'] ?? '', body: Buffer.concat(chunks) });
      // Not enumerable: the other tests compare posts with toEqual.
      Object.defineProperty(posts.at(-1)!, 'ms', { value: Date.now() - t0, enumerable: false });
      const fail = answers.shift();
      if (fail) return void res.writeHead(fail.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: fail.code, message: 'refused' } }));
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ mediaId: 7 }));
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { posts, relayUrl: `ws://127.0.0.1:${port}/ws/terminal` };
}

function rig(relayUrl: string, opts: { webm?: Buffer; maxBytes?: number } = {}) {
  const webm = opts.webm ?? Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 1, 2, 3]);
  const clock = { t: 1_000_000 };
  const buffer = new PrePressBuffer({ seconds: 1, now: () => clock.t });
  const controller = new EventEmitter();
  const grants: unknown[] = [];
  const encoded: PrePressClip[] = [];
  const evidence = new PrePressEvidence({
    buffer,
    controller: controller as unknown as { on(event: 'state', fn: (s: CallState) => void): unknown },
    signal: {
      request: (async (type: string, data: { callId: string; beforeMs: number }) => {
        grants.push({ type, ...data });
        return { url: `/api/calls/${data.callId}/prepress?token=t${grants.length}`, maxBytes: opts.maxBytes ?? 1000 };
      }) as never,
    },
    relayUrl,
    logger: pino({ level: 'silent' }),
    encode: async (clip) => {
      encoded.push({ ...clip, frames: [...clip.frames] });
      return { webm, durationMs: 2000, encodeMs: 1 };
    },
    retryDelaysMs: [20, 20],
  });
  const data = new Uint8Array((W * H * 3) / 2);
  const camera = (seconds: number) => {
    for (let i = 0; i < seconds * 15; i++) {
      clock.t += 1000 / 15;
      buffer.pushFrame({ data, width: W, height: H });
    }
  };
  /** Idle for 2 s, then a press that the relay turns into `callId`. */
  const pressIntoCall = (callId: string) => {
    camera(2);
    controller.emit('state', state('requesting'));
    controller.emit('state', state('ringing', callId));
  };
  return { buffer, controller, grants, encoded, evidence, camera, pressIntoCall };
}

describe('PrePressEvidence', () => {
  it('a press that becomes a call: the clip is encoded and POSTed with the grant for that call', async () => {
    const relay = await fakeRelay();
    const r = rig(relay.relayUrl);
    r.pressIntoCall('call-1');
    r.camera(1.2);
    await tick();
    await r.evidence.uploading;
    expect(r.encoded).toHaveLength(1);
    expect(r.encoded[0]!.frames.length).toBeGreaterThanOrEqual(9);
    expect(r.grants).toEqual([{ type: 'call.prePressGrant', callId: 'call-1', beforeMs: expect.any(Number) }]);
    expect((r.grants[0] as { beforeMs: number }).beforeMs).toBeGreaterThan(700);
    expect(relay.posts).toEqual([{ url: '/api/calls/call-1/prepress?token=t1', type: 'video/webm', body: Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 1, 2, 3]) }]);
    r.evidence.close();
  });

  it('a press that never becomes a call (offline, cancelled at once) keeps nothing and sends nothing', async () => {
    const relay = await fakeRelay();
    const r = rig(relay.relayUrl);
    r.camera(2);
    r.controller.emit('state', state('requesting'));
    r.camera(0.5);
    r.controller.emit('state', state('idle'));
    r.camera(2);
    await tick();
    await r.evidence.uploading;
    expect(r.encoded).toEqual([]);
    expect(r.grants).toEqual([]);
    expect(relay.posts).toEqual([]);
    // The ring refills for the next press, nothing of the old one in it.
    expect(r.buffer.collecting).toBe(false);
    r.evidence.close();
    expect(r.buffer.bytes).toBe(0);
  });

  it('a call that ends within the clip keeps what came before it ended', async () => {
    const relay = await fakeRelay();
    const r = rig(relay.relayUrl);
    r.pressIntoCall('call-2');
    r.camera(0.4);
    r.controller.emit('state', state('idle'));
    await tick();
    await r.evidence.uploading;
    expect(r.encoded).toHaveLength(1);
    expect(relay.posts.map((p) => p.url)).toEqual(['/api/calls/call-2/prepress?token=t1']);
    r.evidence.close();
  });

  it('an upload the link dropped is tried again with a fresh link, until the relay has it', async () => {
    const relay = await fakeRelay([
      { status: 503, code: 'unavailable' },
      { status: 403, code: 'prepress_token_expired' },
    ]);
    const r = rig(relay.relayUrl);
    r.pressIntoCall('call-3');
    r.camera(1.2);
    await tick();
    await r.evidence.uploading;
    // Three tries, each with its own single-use link; the third is stored.
    expect(relay.posts.map((p) => p.url)).toEqual(['/api/calls/call-3/prepress?token=t1', '/api/calls/call-3/prepress?token=t2', '/api/calls/call-3/prepress?token=t3']);
    expect(r.grants).toHaveLength(3);
    r.evidence.close();
  });

  it('a refusal no new try can change is not sent again, and "already stored" counts as stored', async () => {
    for (const code of ['prepress_not_webm', 'prepress_exists']) {
      const relay = await fakeRelay([{ status: code === 'prepress_exists' ? 409 : 415, code }]);
      const r = rig(relay.relayUrl);
      r.pressIntoCall(`call-${code}`);
      r.camera(1.2);
      await tick();
      await r.evidence.uploading;
      expect(relay.posts).toHaveLength(1);
      r.evidence.close();
      server?.close();
    }
    // Over the relay's limit: not even sent.
    const relay = await fakeRelay();
    const r = rig(relay.relayUrl, { maxBytes: 3 });
    r.pressIntoCall('call-big');
    r.camera(1.2);
    await tick();
    await r.evidence.uploading;
    expect(relay.posts).toEqual([]);
    expect(r.grants).toHaveLength(1);
    r.evidence.close();
  });

  it('during the call the upload is paced so the call keeps the uplink (about 200 kbit/s for a small clip)', async () => {
    const relay = await fakeRelay();
    // 80 KiB: five 16 KiB pieces at 24 KiB/s, so the last piece cannot arrive before ~2.7 s.
    const webm = Buffer.alloc(80 * 1024, 7);
    const r = rig(relay.relayUrl, { webm, maxBytes: 1 << 20 });
    r.pressIntoCall('call-paced');
    r.camera(1.2);
    await tick();
    await r.evidence.uploading;
    expect(relay.posts).toHaveLength(1);
    expect(relay.posts[0]!.body.equals(webm)).toBe(true);
    expect(relay.posts[0]!.ms).toBeGreaterThanOrEqual(2500);
    r.evidence.close();
  }, 20_000);
});
