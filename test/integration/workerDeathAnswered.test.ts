import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimTerminal, type Launched } from '../../scripts/lib/launch.ts';
import { eventually, kioskStatus, pressButton } from '../support/kioskStatus.ts';
import { startTestRelay } from '../support/relayHarness.ts';
import { openConsole, signIn } from '../support/station.ts';

/**
 * A mediasoup worker dies under an ANSWERED call: the officer and the
 * resident are talking, so the call is not ended and re-rung. It goes to
 * `recovering`, the terminal re-joins through its ICE-recovery path onto the
 * slot's fresh worker, and the same call carries on (workerDeath.test.ts
 * covers ringing calls, which are ended and asked again).
 */
let relay: Awaited<ReturnType<typeof startTestRelay>>;
let dir: string;
let kiosk: Launched;
const ID = 'XC-SCH-001';

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-worker-answered-'));
  relay = await startTestRelay({ numWorkers: 1 });
  kiosk = await startSimTerminal({ relayUrl: relay.url, terminalId: ID, logDir: dir });
  await eventually(async () => relay.relay.presence.size === 1, 15_000, 'terminal online');
}, 60_000);

afterAll(async () => {
  await kiosk?.stop();
  await relay?.close();
  if (!process.env['HELPPOINT_KEEP_LOGS']) fs.rmSync(dir, { recursive: true, force: true });
});

const producersOf = (callId: string) => relay.relay.calls.view(callId)?.producers.length ?? 0;

describe('a mediasoup worker dies under an answered call', () => {
  it('keeps the call and moves its media to the fresh worker without anyone doing anything', async () => {
    const status = kiosk.ready['statusUrl']!;
    const cookie = await signIn(relay.url);
    const officer = await openConsole(relay.url, cookie);
    await pressButton(status);
    const callId = await eventually(async () => (await kioskStatus(status)).call.callId, 10_000, 'call');
    await eventually(async () => producersOf(callId) === 2, 20_000, 'terminal sending video and audio');
    expect((await officer.peer.request(2, 'call.answer', { callId }))['ok']).toBe(true);
    await eventually(async () => (await kioskStatus(status)).call.state === 'connected', 10_000, 'terminal connected');

    const slot = relay.relay.calls.slotForCall(callId);
    const deadPid = slot.worker.pid;
    process.kill(deadPid, 'SIGKILL');

    await eventually(async () => relay.relay.calls.lifecycleOf(callId) === 'recovering', 10_000, 'call recovering');
    await eventually(async () => slot.worker.pid !== deadPid && !slot.worker.closed, 10_000, 'slot refilled');
    await eventually(async () => relay.relay.calls.lifecycleOf(callId) === 'answered' && producersOf(callId) === 2, 40_000, 'media back on the fresh worker');

    // The same call, still answered by the same officer; the resident never left it.
    expect(relay.relay.repos.calls.get(callId)).toMatchObject({ state: 'answered', endReason: null });
    const st = await kioskStatus(status);
    expect(st.call).toMatchObject({ state: 'connected', callId });
    expect(relay.relay.calls.openCalls().map((c) => c.id)).toEqual([callId]);
    const events = relay.relay.repos.calls.events(callId).map((e) => e.type);
    expect(events).toEqual(expect.arrayContaining(['media_recovering', 'media_recovered']));
    expect(officer.updates().filter((c) => c.id === callId).every((c) => c.state !== 'ended')).toBe(true);
    const frames = (await kioskStatus(status)).media.videoFramesSent;
    await eventually(async () => (await kioskStatus(status)).media.videoFramesSent > frames, 10_000, 'still sending');
    officer.peer.close();
  }, 120_000);
});
