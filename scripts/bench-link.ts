/**
 * Calls over a street link: the simulated terminal runs in its own network
 * namespace (test/support/kioskNetns.ts) and reaches the relay only through
 * an impaired link — "LTE good" (40 ms RTT, 0.5 % loss, 5 Mbit/s up), "LTE
 * poor" (120 ms ± 30 ms, 3 %, 1 Mbit/s up) and "outage" (LTE good with 2 s
 * of total loss in the middle of the call). The console in Chromium answers
 * each call and measures, from decoded frames and its receive statistics:
 * press → first frame, glass-to-glass (the camera's clock strip), freezes
 * (gaps > 500 ms between decoded frames) per minute, received frame rate
 * and resolution, audio concealment, whether the call survived, and after
 * the outage how soon video was back.
 *
 * The link: tc netem is used when the kernel has it; this machine's kernel
 * has no sch_netem, so by default a user-space shaper (scripts/lib/bench/
 * LinkShaper.ts) sits between the terminal and the relay's media port and
 * delays the signalling the same way.
 *   node scripts/bench-link.ts [--profiles lte-good,lte-poor,outage] [--calls 3] [--seconds 30] [--dry-run]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { enrolSimTerminal, startRelay, startSimTerminal, type Launched } from './lib/launch.ts';
import { launchChromium, signInConsole } from '../test/support/browser.ts';
import { eventually, kioskStatus, pressButton } from '../test/support/kioskStatus.ts';
import { KioskNetns } from '../test/support/kioskNetns.ts';
import { parseArgs } from './lib/bench/args.ts';
import { machineInfo } from './lib/bench/machine.ts';
import { mdTable, publish, resultLine } from './lib/bench/report.ts';
import { sleep } from './lib/bench/relayProcess.ts';
import { fmt, median, percentile } from './lib/bench/stats.ts';
import { LinkShaper, PROFILES } from './lib/bench/LinkShaper.ts';
import { trackPeerConnections } from './lib/bench/trackPeerConnections.ts';
import { decodeClockStrip } from '../shared/src/media/clockStrip.ts';

const USAGE = 'usage: bench-link [--profiles lte-good,lte-poor,outage] [--calls 3] [--seconds 30] [--dry-run]';
const args = parseArgs(process.argv.slice(2), { profiles: 'lte-good,lte-poor,outage', calls: 3, seconds: 30, dryRun: false }, USAGE);
const profiles = args.profiles.split(',').map((p) => {
  const profile = PROFILES[p.trim()];
  if (!profile) throw new Error(`unknown profile "${p}" (known: ${Object.keys(PROFILES).join(', ')})\n${USAGE}`);
  return { key: p.trim(), profile };
});
if (!Number.isInteger(args.calls) || args.calls < 1 || args.seconds < 12) throw new Error(USAGE);
const machine = machineInfo();
const TERMINAL = 'XC-SCH-001';
const MEDIA_PORT = Number(process.env['HELPPOINT_RTC_BASE_PORT'] ?? 41800);
/** The outage starts this long after the first frame and lasts OUTAGE_MS. */
const OUTAGE_AT_MS = 8_000;
const OUTAGE_MS = 2_000;

const skip = await KioskNetns.unavailableReason();
if (skip) {
  console.log(`bench-link needs network namespaces (root with CAP_NET_ADMIN): ${skip}`);
  console.log(resultLine({ met: null, result: { skipped: skip } }));
  process.exit(0);
}

interface CallResult {
  profile: string;
  firstFrameMs: number;
  g2g: number[];
  freezesPerMin: number;
  longestFreezeOutsideMs: number;
  fps: number;
  width: number;
  height: number;
  concealedPct: number;
  survived: boolean;
  /** After the outage: first decoded frame after the link came back (ms), NaN without one. */
  backAfterMs: number;
}

/** What the page records for one call (epoch ms). */
interface PageCall {
  ringAt: number | null;
  frameAt: number | null;
  frames: { t: number; w: number; h: number; g2g: number | null }[];
  audio: { received: number; concealed: number } | null;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-bench-link-'));
const ns = await KioskNetns.create();
const kioskAddresses = new Set([ns.signalKiosk, ns.signalKiosk.replace(/\.2$/, '.6')]);
const shaper = new LinkShaper({ profile: profiles[0]!.profile, isTerminal: (a) => kioskAddresses.has(a) });
let relay: Launched | null = null;
let kiosk: Launched | null = null;
const browser = await launchChromium();
const results: CallResult[] = [];
try {
  relay = await startRelay({
    logDir: dir,
    dbPath: path.join(dir, 'relay.db'),
    env: {
      HELPPOINT_RTC_LISTEN_IP: ns.mediaHost,
      // ICE goes to the shaper, which forwards to mediasoup on the media link.
      HELPPOINT_RTC_ANNOUNCED_ADDRESS: ns.signalHost,
      HELPPOINT_RTC_BASE_PORT: String(MEDIA_PORT),
      HELPPOINT_WORKERS: '1',
      HELPPOINT_RING_TIMEOUT_MS: '600000',
      HELPPOINT_ESCALATE_AFTER_MS: '600000',
      // debug: the camera's keyframe requests and keyframes on the timeline (relay/src/sfu/MediaPeer.ts).
      HELPPOINT_LOG_LEVEL: process.env['BENCH_RELAY_LOG'] ?? 'info',
    },
  });
  const relayUrl = relay.ready['url']!;
  await shaper.forwardUdp(ns.signalHost, ns.mediaHost, [MEDIA_PORT]);
  const signalPort = await shaper.forwardTcp(ns.signalHost, { host: '127.0.0.1', port: Number(new URL(relayUrl).port) });
  const configFile = await enrolSimTerminal({ relayUrl, terminalId: TERMINAL, stateDir: path.join(dir, 'kiosk') });
  // As a real terminal runs (config.ts keepWarm 'auto'): camera kept warm, and its pre-press clip goes up the same link.
  kiosk = await startSimTerminal({ relayUrl: `http://${ns.signalHost}:${signalPort}`, terminalId: TERMINAL, logDir: dir, configFile, wrap: ns.wrap, env: { HELPPOINT_CAMERA_WARM: '1' } });
  const statusUrl = await ns.exposeFromNamespace(Number(new URL(kiosk.ready['statusUrl']!).port));
  const page = await browser.newPage();
  await trackPeerConnections(page);
  await signInConsole(page, relayUrl, 'officer1', 'demo-officer1');
  await page.evaluate(`window.__decodeClock = ${decodeClockStrip.toString()}`);
  await eventually(async () => (await kioskStatus(statusUrl)).relay.connected, 20_000, 'terminal connected');

  for (const { key, profile } of profiles) {
    shaper.setProfile(profile);
    await sleep(3000); // the warm transports settle on the new link
    for (let c = 0; c < args.calls; c++) {
      await page.evaluate(() => {
        const w = window as unknown as { __call: PageCall; __decodeClock: (d: ArrayLike<number>, w: number, h: number) => number | null };
        w.__call = { ringAt: null, frameAt: null, frames: [], audio: null };
        const canvas = document.createElement('canvas');
        const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
        // Only a card that is live now: the last call's ended card can stay up for its disposition.
        const watch = () => {
          const card = document.querySelector('[data-testid="call-card"]:is([data-state="ringing"], [data-state="answered"])');
          if (card && w.__call.ringAt === null) w.__call.ringAt = Date.now();
          const v = card?.querySelector('video[data-testid="call-video"]:not([data-bench-watched])') as HTMLVideoElement | null;
          if (v) {
            v.dataset['benchWatched'] = '1';
            const onFrame = () => {
              const now = Date.now();
              if (w.__call.frameAt === null) w.__call.frameAt = now;
              const width = v.videoWidth;
              let g2g: number | null = null;
              if (width > 0) {
                const strip = Math.ceil(width / 40);
                canvas.width = width;
                canvas.height = strip;
                ctx.drawImage(v, 0, 0, width, strip, 0, 0, width, strip);
                const at = w.__decodeClock(ctx.getImageData(0, 0, width, strip).data, width, strip);
                if (at !== null) g2g = now - at;
              }
              w.__call.frames.push({ t: now, w: width, h: v.videoHeight, g2g });
              if (v.isConnected) v.requestVideoFrameCallback(onFrame);
            };
            v.requestVideoFrameCallback(onFrame);
          }
          if (!v || w.__call.frameAt === null) requestAnimationFrame(watch);
        };
        requestAnimationFrame(watch);
      });
      const t0 = Date.now();
      await pressButton(statusUrl);
      const callId = await eventually(async () => (await kioskStatus(statusUrl)).call.callId, 20_000, 'call created');
      await page.locator('[data-testid="call-card"][data-state="ringing"] [data-testid="answer"]').click({ timeout: 20_000 });
      const frameAt = await eventually(() => page.evaluate(() => (window as unknown as { __call: PageCall }).__call.frameAt), 20_000, 'first frame');
      const audioStart = await audioStats(page);
      let outage: { from: number; to: number } | null = null;
      if (key === 'outage') {
        await sleep(Math.max(0, frameAt + OUTAGE_AT_MS - Date.now()));
        const from = Date.now();
        shaper.blackout(true);
        await sleep(OUTAGE_MS);
        shaper.blackout(false);
        outage = { from, to: Date.now() };
      }
      await sleep(Math.max(0, frameAt + args.seconds * 1000 - Date.now()));
      const audioEnd = await audioStats(page);
      const st = await kioskStatus(statusUrl);
      // Still the same call, answered: not ended, not re-dialled as a new one.
      const survived = st.call.state === 'connected' && st.call.callId === callId;
      const got = await page.evaluate(() => (window as unknown as { __call: PageCall }).__call);
      await page.locator('[data-testid="call-card"][data-state="answered"] [data-testid="hangup"]').click({ timeout: 10_000 }).catch(() => undefined);
      await eventually(async () => (await kioskStatus(statusUrl)).call.state === 'idle', 20_000, 'idle');
      // Gone, or ended (an ended card can stay up for its disposition).
      await page.waitForSelector(`[data-testid="call-card"][data-call-id="${callId}"]:is([data-state="ringing"], [data-state="answered"])`, { state: 'detached', timeout: 10_000 });

      const frames = got.frames.filter((f) => f.t <= frameAt + args.seconds * 1000);
      const gaps: { from: number; ms: number }[] = [];
      for (let i = 1; i < frames.length; i++) gaps.push({ from: frames[i - 1]!.t, ms: frames[i]!.t - frames[i - 1]!.t });
      const freezes = gaps.filter((g) => g.ms > 500);
      const outside = freezes.filter((g) => !outage || g.from + g.ms < outage.from || g.from > outage.to);
      const spanS = (frames.at(-1)!.t - frames[0]!.t) / 1000;
      const last5 = frames.filter((f) => f.t > frames.at(-1)!.t - 5000);
      const r: CallResult = {
        profile: profile.name,
        firstFrameMs: frameAt - t0,
        g2g: frames.map((f) => f.g2g).filter((x): x is number => x !== null && x >= 0 && x < 10_000),
        freezesPerMin: (freezes.length / Math.max(spanS, 1)) * 60,
        longestFreezeOutsideMs: outside.reduce((m, g) => Math.max(m, g.ms), 0),
        fps: frames.length / Math.max(spanS, 1),
        width: median(last5.map((f) => f.w)),
        height: median(last5.map((f) => f.h)),
        concealedPct:
          audioEnd && audioStart && audioEnd.received > audioStart.received
            ? ((audioEnd.concealed - audioStart.concealed) / (audioEnd.received - audioStart.received)) * 100
            : Number.NaN,
        survived,
        backAfterMs: outage ? videoBackAfter(frames, outage.to) : Number.NaN,
      };
      results.push(r);
      process.stderr.write(
        `${profile.name} call ${c + 1}/${args.calls}: first frame ${r.firstFrameMs} ms, g2g p50 ${fmt(median(r.g2g))} ms, ${fmt(r.fps, 1)} fps ${r.width}×${r.height}, freezes ${fmt(r.freezesPerMin, 1)}/min (longest outside outage ${r.longestFreezeOutsideMs} ms), audio concealed ${fmt(r.concealedPct, 1)} %, survived ${r.survived}${outage ? `, video back ${fmt(r.backAfterMs)} ms after the outage` : ''}\n`,
      );
      await sleep(1000);
    }
  }
} finally {
  await browser.close();
  await kiosk?.stop();
  await relay?.stop();
  shaper.close();
  await ns.close();
  if (process.env['HELPPOINT_KEEP_LOGS']) console.error(`logs kept in ${dir}`);
  else fs.rmSync(dir, { recursive: true, force: true });
}

/** Audio as the officer hears it: samples received and concealed (Chromium's inbound-rtp audio). */
async function audioStats(page: import('playwright-core').Page): Promise<{ received: number; concealed: number } | null> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
    let received = 0;
    let concealed = 0;
    let found = false;
    for (const pc of pcs) {
      if (pc.connectionState === 'closed') continue;
      const stats = await pc.getStats();
      stats.forEach((r: { type: string; kind?: string; totalSamplesReceived?: number; concealedSamples?: number; silentConcealedSamples?: number }) => {
        if (r.type !== 'inbound-rtp' || r.kind !== 'audio') return;
        found = true;
        received += r.totalSamplesReceived ?? 0;
        concealed += (r.concealedSamples ?? 0) - (r.silentConcealedSamples ?? 0);
      });
    }
    return found ? { received, concealed } : null;
  });
}

const byProfile = profiles.map(({ key, profile }) => ({ key, profile, calls: results.filter((r) => r.profile === profile.name) }));
const table = mdTable(
  ['link', 'calls', 'first frame p50 / max (ms)', 'glass-to-glass p50 / p95 (ms)', 'freezes > 500 ms per min', 'longest freeze outside the outage (ms)', 'received fps', 'resolution (last 5 s)', 'audio concealed (%)', 'calls survived', 'video back after the outage (ms)'],
  byProfile.map(({ profile, calls }) => [
    profile.name,
    calls.length,
    `${fmt(median(calls.map((c) => c.firstFrameMs)))} / ${fmt(Math.max(...calls.map((c) => c.firstFrameMs)))}`,
    `${fmt(median(calls.flatMap((c) => c.g2g)))} / ${fmt(percentile(calls.flatMap((c) => c.g2g), 95))}`,
    fmt(median(calls.map((c) => c.freezesPerMin)), 1),
    fmt(Math.max(0, ...calls.map((c) => c.longestFreezeOutsideMs))),
    fmt(median(calls.map((c) => c.fps)), 1),
    `${fmt(median(calls.map((c) => c.width)))}×${fmt(median(calls.map((c) => c.height)))}`,
    fmt(median(calls.map((c) => c.concealedPct)), 1),
    `${calls.filter((c) => c.survived).length}/${calls.length}`,
    profile.name === 'outage' ? fmt(Math.max(...calls.map((c) => c.backAfterMs))) : '–',
  ]),
);
const poor = byProfile.find((p) => p.key === 'lte-poor')?.calls ?? [];
const out = byProfile.find((p) => p.key === 'outage')?.calls ?? [];
const judged = poor.length > 0 || out.length > 0;
const poorOk = poor.length === 0 || (median(poor.map((c) => c.firstFrameMs)) <= 1000 && Math.max(...poor.map((c) => c.longestFreezeOutsideMs)) <= 1000);
const outOk = out.length === 0 || (out.every((c) => c.survived) && Math.max(...out.map((c) => c.backAfterMs)) <= 2000);
const allSurvived = results.every((r) => r.survived);
const result: Record<string, number | string | boolean> = { calls: results.length, survived: `${results.filter((r) => r.survived).length}/${results.length}`, load1: machine.load1 };
for (const { key, calls } of byProfile) {
  const k = key.replace(/-/g, '_');
  result[`${k}_first_frame_p50_ms`] = median(calls.map((c) => c.firstFrameMs));
  result[`${k}_g2g_p50_ms`] = median(calls.flatMap((c) => c.g2g));
  result[`${k}_freezes_per_min`] = median(calls.map((c) => c.freezesPerMin));
  result[`${k}_longest_freeze_ms`] = Math.max(0, ...calls.map((c) => c.longestFreezeOutsideMs));
  result[`${k}_fps`] = median(calls.map((c) => c.fps));
  result[`${k}_height`] = median(calls.map((c) => c.height));
  result[`${k}_audio_concealed_pct`] = median(calls.map((c) => c.concealedPct));
  if (key === 'outage') result['outage_video_back_ms'] = Math.max(...calls.map((c) => c.backAfterMs));
}
publish(
  {
    id: 'link',
    title: 'Calls over a street link',
    target: 'on "LTE poor" first frame p50 ≤ 1 s and no freeze longer than 1 s outside the outage, audio continuous; after the 2 s outage video back within 2 s; every call survives',
    machine,
    setup: `${args.calls} answered calls of ${args.seconds} s per link; the simulated terminal (640×480 15 fps test pattern with a clock strip, tone microphone; camera kept warm and the 3 s pre-press clip uploaded, as a real terminal does) in its own network namespace, reaching the relay (1 worker) only through the link; the console in Chromium on the station side (unimpaired). Links: ${profiles.map(({ profile: p }) => `${p.name} = ${p.rttMs} ms RTT${p.jitterMs ? ` ± ${p.jitterMs} ms` : ''}, ${p.loss * 100} % loss each way, ${p.upBps / 1e6} Mbit/s up`).join('; ')}; the outage is ${OUTAGE_MS / 1000} s of total loss both ways, ${OUTAGE_AT_MS / 1000} s after the first frame. This kernel has no sch_netem, so the link is a user-space shaper (LinkShaper.ts: loss, delay with jitter keeping order, a rate-limited uplink queue of 300 ms with tail drop; the signalling TCP gets the same delay).`,
    table,
    notes: [
      'Freezes are gaps of more than 500 ms between frames handed to the compositor (requestVideoFrameCallback); video back after the outage: the first frame after it from which no gap over 500 ms follows for 2 s; audio concealed is Chromium\'s concealed minus silent-concealed samples over samples received while the call was answered.',
    ],
    headline: byProfile.map(({ profile, calls }) => `${profile.name}: first frame ${fmt(median(calls.map((c) => c.firstFrameMs)))} ms, ${fmt(median(calls.map((c) => c.fps)), 1)} fps, freezes ${fmt(median(calls.map((c) => c.freezesPerMin)), 1)}/min`).join('; '),
    met: judged ? poorOk && outOk && allSurvived : null,
    result,
  },
  { write: !args.dryRun },
);

/**
 * When the picture is back after an outage: the first frame after it from which frames keep coming (no gap
 * over 500 ms in the next 2 s). A frame or two out of a queue followed by a freeze is not back (seen: the
 * first frame 150 ms after the outage, then 3.3 s frozen until the browser asked for a keyframe).
 */
function videoBackAfter(frames: readonly { t: number }[], outageEnd: number): number {
  const after = frames.filter((f) => f.t > outageEnd);
  for (let i = 0; i < after.length; i++) {
    let steady = true;
    for (let j = i + 1; j < after.length && after[j]!.t <= after[i]!.t + 2000; j++) if (after[j]!.t - after[j - 1]!.t > 500) steady = false;
    if (steady) return after[i]!.t - outageEnd;
  }
  return Number.NaN;
}
