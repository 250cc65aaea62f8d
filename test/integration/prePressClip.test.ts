import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimTerminal, type Launched } from '../../scripts/lib/launch.ts';
import { ffprobe } from '../support/ffprobe.ts';
import { eventually, kioskStatus, pressButton } from '../support/kioskStatus.ts';
import { startTestRelay } from '../support/relayHarness.ts';
import { signIn } from '../support/station.ts';

/**
 * The pre-press clip end to end (issue 15): a real simulated terminal with
 * its camera kept warm is pressed; within seconds the call has a recording
 * that starts before the press (the terminal's memory of the last 3 s, plus
 * the first 3 s of the call), listed first in the history and playable.
 */
const TERMINAL = 'XC-SCH-001';
let relay: Awaited<ReturnType<typeof startTestRelay>>;
let dir: string;
let kiosk: Launched | undefined;

beforeAll(async () => {
  relay = await startTestRelay();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-prepress-'));
  kiosk = await startSimTerminal({ relayUrl: relay.url, terminalId: TERMINAL, logDir: dir, env: { HELPPOINT_CAMERA_WARM: '1' } });
}, 60_000);
afterAll(async () => {
  await kiosk?.stop();
  await relay?.close();
  if (!process.env['HELPPOINT_KEEP_LOGS']) fs.rmSync(dir, { recursive: true, force: true });
});

interface Media { id: number; kind: string; mime: string; createdAt: number; prePress?: boolean; segment: number | null; url: string | null }

describe('pre-press clip', () => {
  it('a press on a warm terminal gives the call a clip from before the press, ≥ 4 s of video, listed first', async () => {
    const statusUrl = kiosk!.ready['statusUrl']!;
    await eventually(async () => (await kioskStatus(statusUrl)).relay.connected, 15_000, 'terminal connected');
    // Idle long enough for the buffer to fill.
    await new Promise((r) => setTimeout(r, 3500));
    await pressButton(statusUrl);
    const callId = await eventually(async () => (await kioskStatus(statusUrl)).call.callId, 10_000, 'the call');
    const cookie = await signIn(relay.url);
    const detail = await eventually(
      async () => {
        const d = (await (await fetch(`${relay.url}/api/calls/${callId}`, { headers: { cookie } })).json()) as { call: { createdAt: number }; media: Media[] };
        return d.media.some((m) => m.prePress) && d;
      },
      // The call is still on: the upload is paced to a quarter of the call's uplink (at least ~200 kbit/s).
      40_000,
      'the pre-press clip in the call history',
    );
    const clip = detail.media.find((m) => m.prePress)!;
    expect(clip).toMatchObject({ kind: 'recording', mime: 'video/webm', segment: null });
    expect(clip.createdAt).toBeLessThan(detail.call.createdAt);
    expect(detail.call.createdAt - clip.createdAt).toBeGreaterThan(2000);
    // Listed first: before the relay's own recording of the call.
    expect(detail.media[0]!.id).toBe(clip.id);

    const probe = ffprobe(path.join(relay.relay.mediaDir, relay.relay.repos.media.get(clip.id)!.file));
    expect(probe.streams.map((s) => s.type).sort()).toEqual(['audio', 'video']);
    expect(probe.durationS).toBeGreaterThanOrEqual(4);
    // The officer's console plays it like any recording.
    const res = await fetch(`${relay.url}${clip.url}`, { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('video/webm');
    const log = fs.readFileSync(kiosk!.logFile, 'utf8');
    const line = log.split('\n').find((l) => l.includes('pre-press clip uploaded'));
    expect(line).toBeTruthy();
    console.log(`pre-press: ${line}`);
    // Uploaded during the call, so paced.
    expect((JSON.parse(line!) as { paceBytesPerSecond: number | null }).paceBytesPerSecond).toBeGreaterThanOrEqual(24 * 1024);
  }, 90_000);
});
