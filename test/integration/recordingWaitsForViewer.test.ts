import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlainMediaFeed, type PlainMediaFeed } from '../support/plainMediaFeed.ts';
import { startTestRelay, type RawPeer } from '../support/relayHarness.ts';
import { connectTerminal } from '../support/terminalKeys.ts';
import { eventually } from '../support/kioskStatus.ts';

/**
 * The recorder does not ask the terminal's camera for a keyframe before a
 * console has: the producer holds back any request for 360 ms after the
 * last one (keyFrames.ts), so a recorder asking first would make the
 * officer's first picture wait that long. The recording follows the console's
 * request, or starts on its own after a second when no console looks.
 * Real mediasoup worker, real ffmpeg on both ends. When the recorder resumed
 * its consumers (and so asked for the keyframe) is its segment's start time
 * (createdAt): the test feed's camera takes no requests, so they cannot be read
 * from its side.
 */
let relay: Awaited<ReturnType<typeof startTestRelay>>;
let peer: RawPeer;
const feeds: PlainMediaFeed[] = [];
const TERMINAL = 'XC-SCH-001';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  relay = await startTestRelay();
  const terminal = await connectTerminal(relay, TERMINAL);
  peer = terminal.peer;
  expect(terminal.hello['ok']).toBe(true);
});
afterAll(async () => {
  for (const f of feeds) await f.close();
  peer?.close();
  await relay?.close();
});

/** A call with a camera and microphone, and when its producers were added to the call. */
async function callWithCamera(requestId: string) {
  const { calls } = relay.relay;
  const r = await peer.request(2, 'help.request', { requestId });
  const callId = (r['data'] as { callId: string }).callId;
  const feed = await startPlainMediaFeed(calls.slotForCall(callId).router, ['video', 'audio']);
  feeds.push(feed);
  const video = feed.producers.find((p) => p.kind === 'video')!;
  const addedAt = Date.now();
  for (const p of feed.producers) calls.addTerminalProducer(callId, TERMINAL, p);
  return { callId, video, addedAt, feed };
}

/**
 * Lets the call record two seconds (longer on a busy machine: until its file holds media, up to 15 s;
 * a CI run under load ended one after 2 s with only the container's header written), ends it, and
 * returns the size of its finished segment.
 */
async function recordedBytes(callId: string, mediaId: number, feed: PlainMediaFeed): Promise<number> {
  await sleep(2_000);
  const file = path.join(relay.relay.mediaDir, relay.relay.repos.media.get(mediaId)!.file);
  const size = () => (fs.existsSync(file) ? fs.statSync(file).size : 0);
  await eventually(async () => size() > 10_000 || null, 15_000, 'media in the recording').catch(() => undefined);
  relay.relay.calls.end(callId, 'officer_hangup', 'officer');
  await relay.relay.recordings!.settled();
  await feed.close();
  return relay.relay.repos.media.get(mediaId)!.bytes;
}

describe('the recorder and the first keyframe', () => {
  it('asks the camera only after a console has, and records from then on', async () => {
    const { calls } = relay.relay;
    const { callId, video, feed } = await callWithCamera('c0ffee00-0000-4000-8000-00000000bbb1');
    const segment = () => relay.relay.repos.media.forCall(callId).find((m) => m.kind === 'recording');
    // The recorder is ready well within this (its ffmpeg was started ahead), yet it must not have started.
    await sleep(600);
    expect(segment()).toBeUndefined();
    const viewedAt = Date.now();
    calls.producerViewed(video.id);
    const rec = await eventually(async () => segment(), 10_000, 'recording segment after the view');
    expect(rec.createdAt).toBeGreaterThanOrEqual(viewedAt);
    expect(await recordedBytes(callId, rec.id, feed)).toBeGreaterThan(10_000);
  }, 60_000);

  it('starts on its own when no console looks', async () => {
    const { callId, addedAt, feed } = await callWithCamera('c0ffee00-0000-4000-8000-00000000bbb2');
    const rec = await eventually(async () => relay.relay.repos.media.forCall(callId).find((m) => m.kind === 'recording'), 10_000, 'recording segment without a viewer');
    // Not before the wait for a viewer is over (a lower bound holds on a loaded machine too).
    expect(rec.createdAt - addedAt).toBeGreaterThanOrEqual(950);
    expect(await recordedBytes(callId, rec.id, feed)).toBeGreaterThan(10_000);
  }, 60_000);
});
