import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimTerminal, type Launched } from '../../scripts/lib/launch.ts';
import { eventually, kioskStatus, pressButton } from '../support/kioskStatus.ts';
import { startTestRelay } from '../support/relayHarness.ts';

/**
 * A mediasoup worker is killed (SIGKILL to its pid) while two calls are live
 * on two workers: the relay replaces it, the call on it ends as media_failed
 * and its terminal asks again at once, with media on the fresh worker; the
 * other call does not notice.
 */
let relay: Awaited<ReturnType<typeof startTestRelay>>;
let dir: string;
const kiosks: Launched[] = [];
const IDS = ['XC-SCH-001', 'XC-HT-003'];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-worker-'));
  relay = await startTestRelay({ numWorkers: 2 });
  for (const id of IDS) kiosks.push(await startSimTerminal({ relayUrl: relay.url, terminalId: id, logDir: dir }));
  await eventually(async () => relay.relay.presence.size === 2, 15_000, 'both terminals online');
}, 60_000);

afterAll(async () => {
  for (const k of kiosks) await k.stop();
  await relay?.close();
  if (!process.env['HELPPOINT_KEEP_LOGS']) fs.rmSync(dir, { recursive: true, force: true });
});

const producersOf = (callId: string) => relay.relay.calls.view(callId)?.producers.length ?? 0;

describe('a mediasoup worker dies during calls', () => {
  it('replaces the worker, re-establishes the affected call, leaves the other untouched', async () => {
    const [a, b] = kiosks.map((k) => k.ready['statusUrl']!) as [string, string];
    for (const s of [a, b]) await pressButton(s);
    const callA = await eventually(async () => (await kioskStatus(a)).call.callId, 10_000, 'call A');
    const callB = await eventually(async () => (await kioskStatus(b)).call.callId, 10_000, 'call B');
    // Standing producers join a call at once (issue 15): "sending" means the cameras deliver frames too.
    await eventually(async () => producersOf(callA) === 2 && producersOf(callB) === 2, 20_000, 'both calls carry video and audio');
    for (const s of [a, b]) await eventually(async () => (await kioskStatus(s)).media.videoFramesSent > 0, 20_000, 'both cameras sending');
    const slotA = relay.relay.calls.slotForCall(callA);
    expect(relay.relay.calls.slotForCall(callB)).not.toBe(slotA); // spread over the two workers
    const deadPid = slotA.worker.pid;
    const bFrames = (await kioskStatus(b)).media.videoFramesSent;

    process.kill(deadPid, 'SIGKILL');

    await eventually(async () => relay.relay.repos.calls.get(callA)?.endReason === 'media_failed', 10_000, 'call A ended as media_failed');
    const newA = await eventually(async () => {
      const st = await kioskStatus(a);
      return st.call.state === 'ringing' && st.call.callId !== callA && st.call.callId;
    }, 15_000, 'terminal A ringing again');
    expect(slotA.worker.pid).not.toBe(deadPid); // the slot was refilled in place
    expect(relay.relay.pool.slots.every((s) => !s.worker.closed)).toBe(true);
    await eventually(async () => producersOf(newA) === 2, 20_000, 'video and audio live again on the fresh worker');

    // The other call: same call, still live, still sending.
    expect(relay.relay.repos.calls.get(callB)?.state).toBe('ringing');
    expect(producersOf(callB)).toBe(2);
    const stB = await kioskStatus(b);
    expect(stB.call.callId).toBe(callB);
    expect(stB.media.videoFramesSent).toBeGreaterThan(bFrames);
    expect(relay.relay.calls.openCalls().map((c) => c.id).sort()).toEqual([newA, callB].sort());
  }, 90_000);
});
