import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffprobe } from '../support/ffprobe.ts';
import { startPlainMediaFeed, type PlainMediaFeed } from '../support/plainMediaFeed.ts';
import { startTestRelay, type RawPeer } from '../support/relayHarness.ts';
import { connectTerminal } from '../support/terminalKeys.ts';

/**
 * A call's media re-joins after a network fault (new transport, new
 * producers; the old ones close): the evidence goes on in a second segment
 * for the terminal and for the officer, each finished cleanly, listed with
 * the call in order. Real mediasoup worker, real ffmpeg on both ends.
 */
let relay: Awaited<ReturnType<typeof startTestRelay>>;
let peer: RawPeer;
let cookie: string;
const feeds: PlainMediaFeed[] = [];
const TERMINAL = 'XC-SCH-001';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  relay = await startTestRelay();
  const terminal = await connectTerminal(relay, TERMINAL);
  peer = terminal.peer;
  expect(terminal.hello['ok']).toBe(true);
  const res = await fetch(`${relay.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'officer1', password: 'demo-officer1' }) });
  cookie = res.headers.get('set-cookie')!.split(';')[0]!;
});
afterAll(async () => {
  for (const f of feeds) await f.close();
  peer?.close();
  await relay?.close();
});

interface Media { id: number; kind: string; mime: string; createdAt: number; finishedAt: number | null; url: string | null; segment: number | null }

describe('recording across a media re-join', () => {
  it('records each side in numbered segments, in order, each with its streams', async () => {
    const { calls, repos } = relay.relay;
    const r = await peer.request(2, 'help.request', { requestId: 'c0ffee00-0000-4000-8000-00000000aaaa' });
    const callId = (r['data'] as { callId: string }).callId;
    const officerUser = relay.relay.repos.users.getByUsername('officer1')!;
    const officer = { id: officerUser.id, displayName: officerUser.displayName };
    calls.answer(callId, officer);
    const router = calls.slotForCall(callId).router;

    const join = async () => {
      const terminal = await startPlainMediaFeed(router, ['video', 'audio']);
      const mic = await startPlainMediaFeed(router, ['audio']);
      feeds.push(terminal, mic);
      for (const p of terminal.producers) calls.addTerminalProducer(callId, TERMINAL, p);
      calls.addOfficerProducer(callId, officer, mic.producers[0]!);
      return [terminal, mic];
    };
    const first = await join();
    await sleep(3_000);
    // The fault: the old transports close (as the relay does on a re-join), then new producers arrive.
    for (const f of first) await f.close();
    await join();
    await sleep(3_000);
    calls.end(callId, 'officer_hangup', 'officer');
    await relay.relay.recordings!.settled();

    const detail = (await (await fetch(`${relay.url}/api/calls/${callId}`, { headers: { cookie } })).json()) as { media: Media[] };
    const recs = detail.media.filter((m) => m.kind === 'recording');
    const terminal = recs.filter((m) => m.mime === 'video/webm');
    const officerAudio = recs.filter((m) => m.mime === 'audio/webm');
    expect(terminal.map((m) => m.segment)).toEqual([1, 2]);
    expect(officerAudio.map((m) => m.segment)).toEqual([1, 2]);
    for (const side of [terminal, officerAudio]) {
      // In order, each finished before the next one's media ends, nothing left "recording".
      expect(side[0]!.createdAt).toBeLessThan(side[1]!.createdAt);
      for (const m of side) expect(m.finishedAt).not.toBeNull();
      expect(side[0]!.finishedAt!).toBeLessThanOrEqual(side[1]!.finishedAt!);
    }

    const fileOf = (m: Media) => path.join(relay.relay.mediaDir, repos.media.get(m.id)!.file);
    for (const m of terminal) {
      const probe = ffprobe(fileOf(m));
      expect(probe.streams.map((s) => s.codec).sort()).toEqual(['opus', 'vp8']);
      expect(probe.durationS).toBeGreaterThan(1);
      expect(probe.durationS).toBeLessThan(3.5);
    }
    for (const m of officerAudio) {
      const probe = ffprobe(fileOf(m));
      expect(probe.streams.map((s) => s.type)).toEqual(['audio']);
      expect(probe.durationS).toBeGreaterThan(1);
      expect(probe.durationS).toBeLessThan(3.5);
    }
    // Served like any evidence file.
    const served = await fetch(`${relay.url}${terminal[1]!.url}`, { headers: { cookie } });
    expect(served.status).toBe(200);
    expect(Number(served.headers.get('content-length'))).toBe(fs.statSync(fileOf(terminal[1]!)).size);
    await served.arrayBuffer();
    expect(calls.openCalls()).toEqual([]);
    expect(relay.relay.recordings!.activeCount).toBe(0);
  }, 30_000);
});
