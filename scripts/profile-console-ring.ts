/**
 * Where the console's main thread spends the time between a press and the
 * first picture: the same parts as bench-call-setup (relay, a simulated
 * terminal with its camera warm, the console in Chromium), and Chrome's CPU
 * profiler on the page for each press, from the press to the first decoded
 * frame. Prints the functions with the most self time over all presses, and
 * the page's busy share of the window. A diagnostic, not a benchmark.
 * --trace: Chrome's trace instead of the JavaScript profiler: the renderer main thread's work by kind
 *   (script, style, layout, paint, …) from the press to the first frame, which the profiler only calls "(program)".
 * --screenshot: a picture of the page at the first press's first frame, to see the ringing card.
 * --tasks: Chrome's trace, press by press: the page's main-thread tasks from the ring message to the first
 *   consumer resume it sent, in order (what the relay's consumer offer waited behind; scripts/lib/bench/pageTasks.ts).
 * --reduced-motion: the page as for an officer who asked the system for less motion (no ringing animations).
 *   node scripts/profile-console-ring.ts [--presses 5] [--top 25] [--reduced-motion] [--trace | --tasks]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRelay, startSimTerminal } from './lib/launch.ts';
import { launchChromium, signInConsole } from '../test/support/browser.ts';
import { eventually, kioskStatus, pressButton } from '../test/support/kioskStatus.ts';
import { parseArgs } from './lib/bench/args.ts';
import { sleep, UNCAPPED_LOOPBACK } from './lib/bench/relayProcess.ts';
import { markSocketMessages, pressTasks, TASK_CATEGORIES, type TraceEvent } from './lib/bench/pageTasks.ts';
import { percentile } from './lib/bench/stats.ts';

const args = parseArgs(process.argv.slice(2), { presses: 5, top: 25, reducedMotion: false, screenshot: '', trace: false, tasks: false }, 'usage: profile-console-ring [--presses 5] [--top 25] [--reduced-motion] [--screenshot file.png] [--trace | --tasks]');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-profile-'));

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}


/**
 * Adds one press's trace to `self`: on each process's main thread (CrRendererMain, and the GPU/viz
 * thread for compositing), the time of its top-level tasks' children by name, over the window.
 */
function tally(events: TraceEvent[], windowMs: number): void {
  const threadName = new Map<string, string>();
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') threadName.set(`${e.pid}:${e.tid}`, String(e.args?.['name'] ?? ''));
  const complete = events.filter((e) => e.ph === 'X' && typeof e.dur === 'number');
  const byThread = new Map<string, TraceEvent[]>();
  for (const e of complete) {
    const k = `${e.pid}:${e.tid}`;
    const list = byThread.get(k) ?? [];
    list.push(e);
    byThread.set(k, list);
  }
  for (const [k, list] of byThread) {
    const thread = threadName.get(k) ?? k;
    if (!/CrRendererMain|VizCompositor|Compositor|CrGpuMain/.test(thread)) continue;
    list.sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
    // Top-level tasks, then their direct children by name (what the task was spent on).
    let end = -1;
    let task: TraceEvent | null = null;
    let childEnd = -1;
    let child: TraceEvent | null = null;
    let grandEnd = -1;
    for (const e of list) {
      if (e.ts >= end) {
        task = e;
        end = e.ts + e.dur!;
        childEnd = -1;
        busyUs += e.dur!;
        continue;
      }
      if (task && e.ts >= childEnd) {
        childEnd = e.ts + e.dur!;
        child = e;
        grandEnd = -1;
        const key = `${thread}: ${e.name}`;
        self.set(key, (self.get(key) ?? 0) + e.dur!);
        continue;
      }
      // One level further inside a frame's rendering: what the frame was spent on.
      if (child && child.name === 'ProxyMain::BeginMainFrame' && e.ts >= grandEnd && e.ts < childEnd) {
        grandEnd = e.ts + e.dur!;
        const key = `${thread}: BeginMainFrame > ${e.name}`;
        self.set(key, (self.get(key) ?? 0) + e.dur!);
      }
    }
  }
  windowUs += windowMs * 1000;
}

const relay = await startRelay({ logDir: dir, dbPath: path.join(dir, 'relay.db'), env: { HELPPOINT_LOG_LEVEL: 'info', ...UNCAPPED_LOOPBACK } });
const baseUrl = relay.ready['url']!;
const browser = await launchChromium();
const self = new Map<string, number>();
let busyUs = 0;
let windowUs = 0;
const waits: number[] = [];
const builds: number[] = [];
try {
  const page = await browser.newPage();
  if (args.reducedMotion) await page.emulateMedia({ reducedMotion: 'reduce' });
  if (args.tasks) await markSocketMessages(page);
  await signInConsole(page, baseUrl, 'officer1', 'demo-officer1');
  const kiosk = await startSimTerminal({ relayUrl: baseUrl, terminalId: 'XC-HT-003', logDir: dir, env: { HELPPOINT_CAMERA_WARM: '1', HELPPOINT_PREPRESS_SECONDS: '0' } });
  const statusUrl = kiosk.ready['statusUrl']!;
  try {
    await eventually(async () => (await kioskStatus(statusUrl)).relay.connected, 15_000, 'terminal connected');
    await sleep(2000);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 1000 });
    const traceEvents: TraceEvent[] = [];
    cdp.on('Tracing.dataCollected', (e) => void traceEvents.push(...(e.value as unknown as TraceEvent[])));
    for (let i = 0; i < args.presses; i++) {
      if (args.trace || args.tasks) {
        const categories = args.tasks ? TASK_CATEGORIES : 'devtools.timeline,disabled-by-default-devtools.timeline,blink,cc,viz';
        await cdp.send('Tracing.start', { categories, transferMode: 'ReportEvents' });
      }
      else await cdp.send('Profiler.start');
      const t0 = Date.now();
      await pressButton(statusUrl, 'press');
      await page.waitForFunction(
        () => {
          const v = document.querySelector('[data-testid="call-card"][data-state="ringing"] video[data-testid="call-video"]') as HTMLVideoElement | null;
          return v !== null && v.getVideoPlaybackQuality().totalVideoFrames > 0;
        },
        null,
        { polling: 'raf', timeout: 15_000 },
      );
      const ms = Date.now() - t0;
      if (i === 0 && args.screenshot) await page.screenshot({ path: args.screenshot });
      if (args.trace || args.tasks) {
        const done = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
        traceEvents.length = 0;
        await cdp.send('Tracing.end');
        await done;
        process.stderr.write(`press ${i + 1}/${args.presses}: first frame ${ms} ms\n`);
        if (args.tasks) {
          const t = pressTasks(traceEvents);
          if (t) {
            waits.push(t.offerAfterRingMs);
            if (t.resumeAfterOfferMs !== null) builds.push(t.resumeAfterOfferMs);
            console.log(`press ${i + 1}: offer handled ${t.offerAfterRingMs.toFixed(1)} ms after the ring message, resume sent ${t.resumeAfterOfferMs?.toFixed(1) ?? '–'} ms after the offer`);
            for (const line of t.lines) console.log(line);
          } else console.log(`press ${i + 1}: the trace has no ring or offer mark`);
        } else tally(traceEvents, ms);
        await pressButton(statusUrl, 'long-press');
        await eventually(async () => (await kioskStatus(statusUrl)).call.state === 'idle', 10_000, 'idle');
        await sleep(1500);
        continue;
      }
      const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: Profile };
      const byId = new Map(profile.nodes.map((n) => [n.id, n]));
      profile.samples.forEach((id, k) => {
        const n = byId.get(id)!;
        const name = n.callFrame.functionName || '(anonymous)';
        const where = n.callFrame.url ? `${path.basename(n.callFrame.url.split('?')[0]!)}:${n.callFrame.lineNumber + 1}` : '';
        const key = `${name} ${where}`.trim();
        const dt = profile.timeDeltas[k] ?? 0;
        self.set(key, (self.get(key) ?? 0) + dt);
        if (name !== '(idle)' && name !== '(program)') busyUs += dt;
      });
      windowUs += profile.endTime - profile.startTime;
      process.stderr.write(`press ${i + 1}/${args.presses}: first frame ${ms} ms\n`);
      await pressButton(statusUrl, 'long-press');
      await eventually(async () => (await kioskStatus(statusUrl)).call.state === 'idle', 10_000, 'idle');
      await sleep(1500);
    }
  } finally {
    await kiosk.stop();
  }
} finally {
  await browser.close();
  await relay.stop();
}
if (args.tasks) {
  const p = (list: number[], q: number) => (list.length ? percentile(list, q).toFixed(0) : 'na');
  console.log(`result: presses=${args.presses} offer_after_ring_p50_ms=${p(waits, 50)} offer_after_ring_max_ms=${p(waits, 100)} resume_after_offer_p50_ms=${p(builds, 50)}`);
} else {
  const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, args.top);
  for (const [k, us] of rows) console.log(`${(us / 1000).toFixed(1).padStart(8)} ms  ${k}`);
  console.log(`result: presses=${args.presses} page_busy_ms_per_press=${(busyUs / 1000 / args.presses).toFixed(0)} window_ms_per_press=${(windowUs / 1000 / args.presses).toFixed(0)}`);
}
