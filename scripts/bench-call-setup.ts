/**
 * Call set-up latency over N presses (default 20), with real parts: a
 * simulated terminal process, the relay with its mediasoup workers, and the
 * console in Chromium. Prints press→console ring and press→first decoded
 * frame (preview while ringing): p50 / p95 / max, in milliseconds, and where
 * the time goes, from the terminal's and the relay's own logs and Chromium's
 * receive statistics. By default a second terminal with its camera kept warm
 * while idle runs beside the default one, presses alternate, and the table
 * gives the ratio between the two. Glass-to-glass delay: the simulated camera
 * draws its capture time as a strip on every frame (shared/src/media/clockStrip.ts)
 * and the page reads it back from the decoded frames. Then the same presses
 * again with --background idle terminals (signalling only, heartbeats with
 * the real health report) connected to the same relay: ring p95 must not grow
 * by more than 1.5× over the quiet run.
 *   node scripts/bench-call-setup.ts [--presses 20] [--compare=false] [--warm-only] [--background 10000] [--dry-run]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRelay, startSimTerminal, type Launched } from './lib/launch.ts';
import { launchChromium, signInConsole } from '../test/support/browser.ts';
import { eventually, kioskStatus, pressButton } from '../test/support/kioskStatus.ts';
import { parseArgs } from './lib/bench/args.ts';
import { firstAfter, readLog, type LogEntry } from './lib/bench/logTimeline.ts';
import { machineInfo } from './lib/bench/machine.ts';
import { trackConsoleMessages } from './lib/bench/trackConsoleMessages.ts';
import { trackPeerConnections } from './lib/bench/trackPeerConnections.ts';
import { mdTable, publish } from './lib/bench/report.ts';
import { sleep, UNCAPPED_LOOPBACK } from './lib/bench/relayProcess.ts';
import { fmt, median, percentile, summarize } from './lib/bench/stats.ts';
import { registerSimTerminals, simTerminalIds } from './lib/bench/terminalAuth.ts';
import { TerminalSwarm } from './lib/bench/TerminalSwarm.ts';
import { SimHealth } from './lib/bench/simHealth.ts';
import { decodeClockStrip } from '../shared/src/media/clockStrip.ts';

const USAGE = 'usage: bench-call-setup [--presses 20] [--compare=false] [--warm-only] [--background 10000 (0: none)] [--dry-run]';
// The old positional form (`bench-call-setup 20`) still works.
const argv = process.argv.slice(2).map((a, i) => (i === 0 && /^\d+$/.test(a) ? `--presses=${a}` : a));
const args = parseArgs(argv, { presses: 20, compare: true, warmOnly: false, background: 10_000, dryRun: false }, USAGE);
if (!Number.isInteger(args.presses) || args.presses < 1) throw new Error(USAGE);
if (!Number.isInteger(args.background) || args.background < 0) throw new Error(USAGE);
const machine = machineInfo();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-bench-'));

interface Press {
  /** Pressed while the background terminals were heartbeating. */
  loaded: boolean;
  /** Glass-to-glass delays of the frames decoded in the first seconds (ms). */
  g2g: number[];
  t0: number;
  end: number;
  ring: number;
  frame: number;
  packet: number;
  first: Watch['first'];
  keyFrame: number;
  /** When the ring and the relay's consumer offer reached the page's socket (ms after the press). */
  ringMessage: number;
  offerMessage: number;
  /** When the page first asked the relay to resume a consumer (ms after the press). */
  resumeSent: number;
  plis: number;
}

/** What the page records for one press (epoch ms). */
interface Watch {
  g2g: number[];
  ringAt: number | null;
  frameAt: number | null;
  packetAt: number | null;
  /**
   * Chromium's receive statistics at the first poll that saw a decoded frame, per frame: the time
   * from a frame's first to its last packet (totalAssemblyTime: the sender's pacing of the keyframe),
   * from its first packet to leaving the jitter buffer (jitterBufferDelay), and the bytes received.
   */
  first: { assemblyMs: number; jitterBufferMs: number; bytes: number; frames: number } | null;
  keyFrameAt: number | null;
  plis: number;
}

/**
 * The kiosk set-ups compared in one run: the last is the project's default
 * and gets the full table; the first is the alternative it is compared with.
 * A real terminal keeps its camera warm by default (kiosk config 'auto'); the
 * simulated one does not, so the warm one is set here.
 */
const WARM = {
  name: "camera kept warm while idle (a real terminal's default; HELPPOINT_CAMERA_WARM=1)",
  terminalId: 'XC-HT-003',
  // No pre-press clip: its encoding (a few seconds of ffmpeg, after the press) would land on the other
  // set-up's next press on these 2 shared cores; a terminal's own first picture comes before it starts.
  env: { HELPPOINT_CAMERA_WARM: '1', HELPPOINT_PREPRESS_SECONDS: '0' },
};
const COLD = { name: 'camera started at the press (HELPPOINT_CAMERA_WARM=0)', terminalId: 'XC-SCH-001', env: { HELPPOINT_CAMERA_WARM: '0' } };
const VARIANTS = [COLD, WARM];
// --warm-only: just the warm-camera set-up (to look into its own steps).
const variants = args.warmOnly ? [WARM] : args.compare ? VARIANTS : [WARM];

// Where the time goes: the first log line of each step after each press.
const STEPS: { name: string; from: 'kiosk' | 'relay'; match: (e: LogEntry) => boolean }[] = [
  { name: 'terminal: press handled', from: 'kiosk', match: (e) => e.msg === 'call state' && e['event'] === 'press' },
  { name: 'relay: call created, consoles told', from: 'relay', match: (e) => e.msg === 'help requested: ringing consoles' },
  { name: 'terminal: help request accepted', from: 'kiosk', match: (e) => e.msg === 'call state' && e['event'] === 'requestAccepted' },
  { name: 'terminal: send transport connecting (ICE)', from: 'kiosk', match: (e) => e.msg === 'send transport state' && e['state'] === 'connecting' },
  { name: 'terminal: send transport connected (ICE + DTLS)', from: 'kiosk', match: (e) => e.msg === 'send transport state' && e['state'] === 'connected' },
  { name: 'terminal: first camera frame', from: 'kiosk', match: (e) => e.msg === 'first camera frame' },
  { name: 'relay: video producer live', from: 'relay', match: (e) => e.msg === 'terminal media live' && e['kind'] === 'video' },
  { name: 'terminal: camera and microphone produced', from: 'kiosk', match: (e) => e.msg === 'camera and microphone live in the call' },
  // These three only with BENCH_RELAY_LOG=debug (MediaPeer traces the worker's keyframe requests then).
  { name: 'relay: console consumer resumed (debug)', from: 'relay', match: (e) => e.msg === 'consumer resumed' && e['kind'] === 'video' },
  { name: 'relay: first keyframe request to the camera (debug)', from: 'relay', match: (e) => e.msg === 'keyframe request to the camera' },
  { name: 'relay: first keyframe from the camera (debug)', from: 'relay', match: (e) => e.msg === 'keyframe from the camera' },
];

const dbPath = path.join(dir, 'relay.db');
const backgroundIds = simTerminalIds(args.background);
// 10,000 background terminals from 127.0.0.1: the per-address caps (issue 16) would refuse all but a few.
const relay = await startRelay({ logDir: dir, dbPath, env: { HELPPOINT_LOG_LEVEL: process.env['BENCH_RELAY_LOG'] ?? 'info', ...UNCAPPED_LOOPBACK } });
const baseUrl = relay.ready['url']!;
const health = backgroundIds.length ? await SimHealth.create() : null;
const browser = await launchChromium();
const results: { name: string; presses: Press[]; loaded: Press[]; steps: { name: string; v: number[] }[]; probes: Probes }[] = [];
let loadDuring = Number.NaN;
let misses = 0;
let backgroundLags: number[] = [];
try {
  const page = await browser.newPage();
  await trackPeerConnections(page);
  await trackConsoleMessages(page, ['call.updated', 'rtc.consumersOffered', 'rtc.resumeConsumer']);
  await signInConsole(page, baseUrl, 'officer1', 'demo-officer1');
  // Registered only now, behind the relay's back (it reads terminals from SQLite): a console
  // signed in with 10,000 terminals in its list is a problem of its own (hello and list are O(N)), not this one.
  if (backgroundIds.length) registerSimTerminals(dbPath, backgroundIds);
  // The clock strip's reader, from the same source the camera's writer lives beside.
  await page.evaluate(`window.__decodeClock = ${decodeClockStrip.toString()}`);
  // Both set-ups run side by side and their presses alternate, so a busy
  // moment on the shared machine hits both alike.
  const kiosks: Launched[] = [];
  for (const variant of variants) kiosks.push(await startSimTerminal({ relayUrl: baseUrl, terminalId: variant.terminalId, logDir: dir, env: variant.env }));
  const pressesOf: Press[][] = variants.map(() => []);
  try {
    for (const k of kiosks) await eventually(async () => (await kioskStatus(k.ready['statusUrl']!)).relay.connected, 15_000, 'terminal connected');
    await sleep(2000);
    const runPresses = async (loaded: boolean) => {
    for (let i = 0; i < args.presses; i++) {
      for (const [v, variant] of variants.entries()) {
        const statusUrl = kiosks[v]!.ready['statusUrl']!;
        // Watch in the page for the ringing card and the first decoded frame of its video.
        await page.evaluate(() => {
          const w = window as unknown as { __bench: Watch; __pcs: RTCPeerConnection[] };
          w.__bench = { g2g: [], ringAt: null, frameAt: null, packetAt: null, first: null, keyFrameAt: null, plis: 0 };
          for (const k of Object.keys((window as unknown as { __wsSeen: Record<string, number> }).__wsSeen)) delete (window as unknown as { __wsSeen: Record<string, number> }).__wsSeen[k];
          // The console's receive transport is warm (one peer connection for the whole sign-in): this
          // press's video is the inbound stream that was not there before it.
          const before = new Set<string>();
          const seen = Promise.all(w.__pcs.map((pc) => pc.getStats().then((stats) => stats.forEach((r: { type: string; id: string }) => r.type === 'inbound-rtp' && before.add(r.id)))));
          // The receive side as Chromium sees it: first video packet, first keyframe decoded, keyframe requests sent.
          const poll = setInterval(() => {
            for (const pc of w.__pcs) {
              void Promise.all([seen, pc.getStats()]).then(([, stats]) => {
                stats.forEach((r: RTCInboundRtpStreamStats & { framesAssembledFromMultiplePackets?: number; totalAssemblyTime?: number }) => {
                  if (r.type !== 'inbound-rtp' || r.kind !== 'video' || before.has(r.id)) return;
                  if (w.__bench.packetAt === null && (r.packetsReceived ?? 0) > 0) w.__bench.packetAt = Date.now();
                  const decoded = r.framesDecoded ?? 0;
                  if (w.__bench.first === null && decoded > 0) {
                    w.__bench.first = {
                      assemblyMs: ((r.totalAssemblyTime ?? Number.NaN) * 1000) / Math.max(1, r.framesAssembledFromMultiplePackets ?? 0),
                      jitterBufferMs: ((r.jitterBufferDelay ?? Number.NaN) * 1000) / Math.max(1, r.jitterBufferEmittedCount ?? 0),
                      bytes: (r.bytesReceived ?? Number.NaN) / Math.max(1, r.framesReceived ?? 0),
                      frames: decoded,
                    };
                  }
                  if (w.__bench.keyFrameAt === null && (r.keyFramesDecoded ?? 0) > 0) w.__bench.keyFrameAt = Date.now();
                  if (w.__bench.frameAt === null) w.__bench.plis = Math.max(w.__bench.plis, (r.pliCount ?? 0) + (r.firCount ?? 0));
                });
              });
            }
            // On until the first frame's statistics are in as well (a late poll dilutes them over more frames).
            if (w.__bench.frameAt !== null && (w.__bench.first !== null || Date.now() - w.__bench.frameAt > 3000)) clearInterval(poll);
            // Every 20 ms: getStats is not free, and polling every 5 ms took a share of the page's main
            // thread in the very moments measured (the ring, the consumers' negotiation).
          }, 20);
          const check = () => {
            const card = document.querySelector('[data-testid="call-card"][data-state="ringing"]');
            if (card && w.__bench.ringAt === null) w.__bench.ringAt = Date.now();
            const v = card?.querySelector('video[data-testid="call-video"]') as HTMLVideoElement | null;
            if (v && w.__bench.frameAt === null && v.getVideoPlaybackQuality().totalVideoFrames > 0) {
              w.__bench.frameAt = Date.now();
              readClock(v);
            }
            if (w.__bench.frameAt === null) requestAnimationFrame(check);
          };
          // Glass-to-glass: each decoded frame's clock strip against this clock, for two seconds.
          const readClock = (v: HTMLVideoElement) => {
            const decode = (window as unknown as { __decodeClock: (d: ArrayLike<number>, w: number, h: number) => number | null }).__decodeClock;
            const canvas = document.createElement('canvas');
            const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
            const until = Date.now() + 2000;
            const onFrame = () => {
              const now = Date.now();
              const width = v.videoWidth;
              const strip = Math.ceil(width / 40);
              if (width > 0) {
                canvas.width = width;
                canvas.height = strip;
                ctx.drawImage(v, 0, 0, width, strip, 0, 0, width, strip);
                const at = decode(ctx.getImageData(0, 0, width, strip).data, width, strip);
                if (at !== null) w.__bench.g2g.push(now - at);
              }
              if (now < until) v.requestVideoFrameCallback(onFrame);
            };
            v.requestVideoFrameCallback(onFrame);
          };
          new MutationObserver(check).observe(document.body, { subtree: true, childList: true, attributes: true });
          requestAnimationFrame(check);
        });
        const t0 = Date.now();
        await pressButton(statusUrl);
        // A press with no picture in 15 s is counted (as a miss), not the end of the run.
        const got = await eventually(
          () => page.evaluate(() => (window as unknown as { __bench: Watch }).__bench).then((b) => (b.frameAt ? b : null)),
          15_000,
          'first frame',
        ).catch(async () => {
          misses++;
          const b = await page.evaluate(() => (window as unknown as { __bench: Watch }).__bench);
          return { ...b, ringAt: b.ringAt ?? Number.NaN, frameAt: Number.NaN };
        });
        const wsSeen = await page.evaluate(() => ({ ...(window as unknown as { __wsSeen: Record<string, number> }).__wsSeen }));
        // Let the glass-to-glass reader see two seconds of frames.
        await sleep(2100);
        const { g2g, first } = await page.evaluate(() => (window as unknown as { __bench: Watch }).__bench);
        process.stderr.write(`${loaded ? `${args.background} background terminals, ` : ''}${variant.name}, press ${i + 1}/${args.presses}: ring ${got.ringAt! - t0} ms, first frame ${got.frameAt! - t0} ms, glass-to-glass p50 ${fmt(median(g2g))} ms (offer in ${fmt((wsSeen['rtc.consumersOffered'] ?? Number.NaN) - t0)}, resume out ${fmt((wsSeen['>rtc.resumeConsumer'] ?? Number.NaN) - t0)} ms)${got.first ? `; first frame assembled over ${fmt(got.first.assemblyMs)} ms` : ''}${got.plis ? `, ${got.plis} keyframe request(s) from the console` : ''}\n`);
        await pressButton(statusUrl, 'long-press');
        await eventually(async () => (await kioskStatus(statusUrl)).call.state === 'idle', 10_000, 'idle');
        await page.waitForSelector('[data-testid="call-card"][data-state="ringing"]', { state: 'detached', timeout: 10_000 });
        pressesOf[v]!.push({
          loaded,
          g2g,
          t0,
          end: Date.now(),
          ring: got.ringAt! - t0,
          frame: got.frameAt! - t0,
          packet: got.packetAt === null ? Number.NaN : got.packetAt - t0,
          first,
          keyFrame: got.keyFrameAt === null ? Number.NaN : got.keyFrameAt - t0,
          ringMessage: (wsSeen['call.updated'] ?? Number.NaN) - t0,
          offerMessage: (wsSeen['rtc.consumersOffered'] ?? Number.NaN) - t0,
          resumeSent: (wsSeen['>rtc.resumeConsumer'] ?? Number.NaN) - t0,
          plis: got.plis,
        });
        await sleep(300);
      }
    }
    };
    await runPresses(false);
    if (backgroundIds.length) {
      const swarm = new TerminalSwarm({ url: `${baseUrl.replace(/^http/, 'ws')}/ws/terminal`, ids: backgroundIds, health: health! });
      try {
        const rampStart = performance.now();
        await swarm.connectAll();
        await swarm.whenAllOnline(180_000);
        process.stderr.write(`${backgroundIds.length} background terminals online in ${((performance.now() - rampStart) / 1000).toFixed(1)} s; letting their heartbeats spread…\n`);
        await sleep(12_000);
        loadDuring = os.loadavg()[0]!;
        await runPresses(true);
        backgroundLags = swarm.takeLags();
      } finally {
        swarm.close();
      }
    }
  } finally {
    for (const k of kiosks) await k.stop();
  }
  const relayLog = readLog(relay.logFile);
  for (const [v, variant] of variants.entries()) {
    const presses = pressesOf[v]!.filter((p) => !p.loaded);
    const loaded = pressesOf[v]!.filter((p) => p.loaded);
    const logs = { kiosk: readLog(kiosks[v]!.logFile), relay: relayLog };
    const steps = [
      ...STEPS.map((s) => ({ name: s.name, v: presses.map((p) => firstAfter(logs[s.from], p.t0, p.end, s.match)).filter(Number.isFinite) })),
      { name: 'console: ring message received (socket)', v: presses.map((p) => p.ringMessage).filter(Number.isFinite) },
      { name: "console: relay's consumer offer received (socket)", v: presses.map((p) => p.offerMessage).filter(Number.isFinite) },
      { name: 'console: consumer resume sent (socket)', v: presses.map((p) => p.resumeSent).filter(Number.isFinite) },
      { name: 'console: first video packet', v: presses.map((p) => p.packet).filter(Number.isFinite) },
      { name: 'console: first keyframe decoded', v: presses.map((p) => p.keyFrame).filter(Number.isFinite) },
    ];
    results.push({ name: variant.name, presses, loaded, steps, probes: probesOf(logs.kiosk) });
  }
} finally {
  await browser.close();
  await relay.stop();
  if (process.env['HELPPOINT_KEEP_LOGS']) console.error(`logs kept in ${dir}`);
  else fs.rmSync(dir, { recursive: true, force: true });
}

const ringOf = (r: (typeof results)[number], loaded = false) => summarize((loaded ? r.loaded : r.presses).map((p) => p.ring));
const frameOf = (r: (typeof results)[number], loaded = false) => summarize((loaded ? r.loaded : r.presses).map((p) => p.frame));
const g2gOf = (r: (typeof results)[number], loaded = false) => summarize((loaded ? r.loaded : r.presses).flatMap((p) => p.g2g));
const latest = results[results.length - 1]!;
const base = results.length > 1 ? results[0]! : null;
/** What Chromium says about the first frame it decoded: how long its packets took to come in (the sender's pacing), its wait in the jitter buffer, its size. */
const firstFrameLine = (latest: (typeof results)[number], base: (typeof results)[number] | null | undefined): string => {
  const of = (r: (typeof results)[number]) => {
    const f = r.presses.flatMap((p) => (p.first && p.first.frames <= 2 ? [p.first] : []));
    return `${fmt(median(f.map((x) => x.assemblyMs)))} ms from its first to its last packet, ${fmt(median(f.map((x) => x.jitterBufferMs)))} ms from its first packet out of the jitter buffer, ${fmt(median(f.map((x) => x.bytes / 1000)), 1)} kB (median of ${f.length} presses read at their first or second frame)`;
  };
  return `The first decoded frame, from Chromium's receive statistics: ${of(latest)}${base ? `; ${base.name}: ${of(base)}` : ''}.`;
};
/** A first frame whose packets took longer than this to arrive was held back by the sender, not the network. */
const SLOW_ASSEMBLY_MS = 300;
const probeLine = (r: (typeof results)[number]) => `${r.probes.asked} asked in ${r.probes.calls} calls, ${r.probes.worked} raised the estimate`;
const slowAssembly = (presses: Press[]) => presses.filter((p) => (p.first?.assemblyMs ?? 0) > SLOW_ASSEMBLY_MS).length;
const rowsOf = (r: (typeof results)[number]) =>
  [{ name: '**press → console ring**', v: r.presses.map((p) => p.ring) }, ...r.steps, { name: '**press → first decoded frame at the console**', v: r.presses.map((p) => p.frame) }].sort(
    (a, b) => summarize(a.v).p50 - summarize(b.v).p50,
  );
const baseP50 = new Map(base ? rowsOf(base).map((x) => [x.name, summarize(x.v).p50]) : []);
const table = mdTable(
  ['ms after the press', 'p50', 'p95', 'max', 'n', ...(base ? [`p50 with ${base.name}`, 'ratio default / that'] : [])],
  [
    ...rowsOf(latest).map((x) => {
      const s = summarize(x.v);
      const b = baseP50.get(x.name);
      return [x.name, fmt(s.p50), fmt(s.p95), fmt(s.max), s.n, ...(base ? [fmt(b), fmt(b ? s.p50 / b : Number.NaN, 2)] : [])];
    }),
    (() => {
      const s = g2gOf(latest);
      const b = base ? g2gOf(base).p50 : Number.NaN;
      return ['**glass-to-glass (capture → decoded at the console), every frame of the first 2 s**', fmt(s.p50), fmt(s.p95), fmt(s.max), s.n, ...(base ? [fmt(b), fmt(s.p50 / b, 2)] : [])];
    })(),
  ],
);
const ring = ringOf(latest);
const frame = frameOf(latest);
const g2g = g2gOf(latest);
const loadedRing = ringOf(latest, true);
const loadedFrame = frameOf(latest, true);
const loadedG2g = g2gOf(latest, true);
const growth = loadedRing.p95 / ring.p95;
const loadedTable = backgroundIds.length
  ? mdTable(
      ['ms after the press', 'quiet p50 / p95', `with ${args.background} idle terminals p50 / p95`, 'p95 ratio'],
      [
        ['press → console ring', `${fmt(ring.p50)} / ${fmt(ring.p95)}`, `${fmt(loadedRing.p50)} / ${fmt(loadedRing.p95)}`, fmt(growth, 2)],
        ['press → first decoded frame', `${fmt(frame.p50)} / ${fmt(frame.p95)}`, `${fmt(loadedFrame.p50)} / ${fmt(loadedFrame.p95)}`, fmt(loadedFrame.p95 / frame.p95, 2)],
        ['glass-to-glass', `${fmt(g2g.p50)} / ${fmt(g2g.p95)}`, `${fmt(loadedG2g.p50)} / ${fmt(loadedG2g.p95)}`, fmt(loadedG2g.p95 / g2g.p95, 2)],
        ['background heartbeat round trip', '–', `${fmt(percentile(backgroundLags, 50), 1)} / ${fmt(percentile(backgroundLags, 95), 1)} (max ${fmt(percentile(backgroundLags, 100))})`, '–'],
      ],
    )
  : [];
const met = misses === 0 && ring.p95 <= 20 && frame.p50 <= 150 && frame.p95 <= 250 && g2g.p50 <= 150 && (!backgroundIds.length || growth <= 1.5);
publish(
  {
    id: 'call-setup',
    title: 'Call set-up: press → ring → first frame',
    target: 'p95 press → ring ≤ 20 ms, press → first decoded frame p50 ≤ 150 / p95 ≤ 250 ms, glass-to-glass ≤ 150 ms (loopback); ring p95 with 10,000 idle terminals ≤ 1.5× the quiet run',
    machine,
    setup: `${args.presses} presses per set-up on simulated terminals (640×480 15 fps test pattern with a clock strip; with --compare both set-ups run side by side and their presses alternate), relay process (demo data, one worker per core), console in Chromium (headless) previewing while ringing; each press is cancelled 2 s after its first frame. Warm transports: the terminal's send transport and the console's receive transport are connected before the press; the relay makes the ringing call's consumers for the console and offers them (rtc.consumersOffered). Steps come from the terminal's and the relay's logs (the relay logs "call created, consoles told" after all of the call's listeners; the ring itself goes first), the console rows from the page: when a message reached its socket, and its peer connection's stats polled every 20 ms; sorted by median.${base ? ` The table is the "${latest.name}" set-up; "${base.name}" ran in the same run, alternating with it (ring p50 ${fmt(ringOf(base).p50)} / p95 ${fmt(ringOf(base).p95)}, first frame p50 ${fmt(frameOf(base).p50)} / p95 ${fmt(frameOf(base).p95)} ms, glass-to-glass p50 ${fmt(g2gOf(base).p50)} ms).` : ''}${backgroundIds.length ? ` Then the same presses again with ${args.background} signalling-only terminals connected, each heartbeating every 10 s with the real health report (load average then ${fmt(loadDuring, 2)}).` : ''}`,
    table: [...table, ...(loadedTable.length ? ['', ...loadedTable] : [])],
    notes: [
      firstFrameLine(latest, base),
      `Presses whose first frame took over ${SLOW_ASSEMBLY_MS} ms from its first to its last packet: ${slowAssembly(latest.presses)} of ${latest.presses.length}${base ? ` (${base.name}: ${slowAssembly(base.presses)} of ${base.presses.length})` : ''}. Where this was looked into (2026-12-03, 12-press --compare runs) the terminal's send-side bandwidth estimate had fallen, without loss, to 75–107 kbit/s a fraction of a second into the call, and libwebrtc paces at 2.5× the estimate: the keyframe took 0.3–1.4 s to go out and the picture ran ~2 s behind for the first seconds. Since 2eda155 the terminal probes such an estimate within 250 ms (kiosk/src/media/linkProbe.ts). Uplink probes (terminal log, "call media stopped"): ${probeLine(latest)}${base ? ` (${base.name}: ${probeLine(base)})` : ''}.`,
      `Keyframe requests (PLI/FIR) the console sent before its first frame, median per press: ${fmt(median(latest.presses.map((p) => p.plis)))}${base ? ` (${base.name}: ${fmt(median(base.presses.map((p) => p.plis)))})` : ''}.`,
      "The press goes to the simulated button over the terminal's local HTTP status endpoint, so every step includes that hop (about 1–2 ms).",
      'Glass-to-glass: the simulated camera stamps each frame with the time it reached the terminal process (ffmpeg test pattern, so the camera sensor itself is not in it); the page reads the strip from each decoded frame in requestVideoFrameCallback, i.e. when it is handed to the compositor.',
    ],
    headline: `ring p50 ${fmt(ring.p50)} / p95 ${fmt(ring.p95)} ms; first frame p50 ${fmt(frame.p50)} / p95 ${fmt(frame.p95)} ms; glass-to-glass p50 ${fmt(g2g.p50)} / p95 ${fmt(g2g.p95)} ms${backgroundIds.length ? `; with ${args.background} idle terminals ring p95 ${fmt(loadedRing.p95)} ms (${fmt(growth, 2)}×)` : ''}`,
    met,
    result: {
      presses: args.presses,
      ring_p50_ms: ring.p50,
      ring_p95_ms: ring.p95,
      first_frame_p50_ms: frame.p50,
      first_frame_p95_ms: frame.p95,
      g2g_p50_ms: g2g.p50,
      g2g_p95_ms: g2g.p95,
      ...(base ? { cold_camera_first_frame_p50_ms: frameOf(base).p50, cold_camera_first_frame_p95_ms: frameOf(base).p95 } : {}),
      background: args.background,
      ...(backgroundIds.length
        ? { loaded_ring_p95_ms: loadedRing.p95, ring_p95_growth: growth, loaded_first_frame_p50_ms: loadedFrame.p50, loaded_g2g_p50_ms: loadedG2g.p50, heartbeat_p95_ms: percentile(backgroundLags, 95) }
        : {}),
      slow_first_frame_assembly: slowAssembly(latest.presses),
      uplink_probes: latest.probes.asked,
      uplink_probes_worked: latest.probes.worked,
      no_frame_in_15s: misses,
      load1_start: Number(machine.load1),
      load1_loaded: loadDuring,
    },
  },
  { write: !args.dryRun },
);

interface Probes {
  calls: number;
  asked: number;
  worked: number;
}

/** The terminal's own count of uplink probes, from each call's "call media stopped" line. */
function probesOf(log: LogEntry[]): Probes {
  const out: Probes = { calls: 0, asked: 0, worked: 0 };
  for (const e of log) {
    if (e.msg !== 'call media stopped') continue;
    const link = e['link'] as { probes?: number; probesWorked?: number } | null | undefined;
    out.calls += 1;
    out.asked += link?.probes ?? 0;
    out.worked += link?.probesWorked ?? 0;
  }
  return out;
}
