/**
 * Kiosk footprint: RSS and CPU of one simulated terminal process (Node with
 * wrtc) and its ffmpeg camera child, idle and in a call (camera + tone
 * microphone encoded and sent to the relay), at 640×480 15 fps and 30 fps.
 * Medians of --repeats windows; the relay runs as its own process.
 *   node scripts/bench-kiosk-footprint.ts [--fps 15,30] [--window 10] [--repeats 3] [--dry-run]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRelay, startSimTerminal, type Launched } from './lib/launch.ts';
import { eventually, kioskStatus, pressButton } from '../test/support/kioskStatus.ts';
import { intList, parseArgs } from './lib/bench/args.ts';
import { machineInfo } from './lib/bench/machine.ts';
import { childPids, commandName, ProcSampler } from './lib/bench/procStats.ts';
import { sleep } from './lib/bench/relayProcess.ts';
import { mdTable, publish } from './lib/bench/report.ts';
import { fmt, median } from './lib/bench/stats.ts';

const USAGE = 'usage: bench-kiosk-footprint [--fps 15,30] [--width 640] [--height 480] [--window 10] [--repeats 3] [--dry-run]';
const args = parseArgs(process.argv.slice(2), { fps: '15,30', width: 640, height: 480, window: 10, repeats: 3, dryRun: false }, USAGE);
const fpsList = intList(args.fps, 'fps');
if (args.window < 1 || args.repeats < 1) throw new Error(USAGE);
const TERMINAL = 'XC-SCH-001';

const machine = machineInfo();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-bench-kiosk-'));

interface Measure {
  nodeCpu: number;
  ffmpegCpu: number;
  nodeRssMiB: number;
  ffmpegRssMiB: number;
}
interface Row {
  fps: number;
  phase: string;
  m: Measure;
  framesPerS: number;
}
const rows: Row[] = [];

/** Median over windows of the kiosk's own process and of its ffmpeg children. */
async function measure(kiosk: Launched): Promise<Measure> {
  const pid = kiosk.child.pid!;
  const wins: Measure[] = [];
  for (let w = 0; w < args.repeats; w++) {
    const ff = childPids(pid).filter((p) => commandName(p) === 'ffmpeg');
    const own = new ProcSampler({ pid }).start();
    const kids = ff.map((p) => new ProcSampler({ pid: p }).start());
    await sleep(args.window * 1000);
    const o = own.stop();
    const k = kids.map((s) => s.stop());
    wins.push({
      nodeCpu: o.cpuPct,
      ffmpegCpu: k.reduce((a, x) => a + (Number.isFinite(x.cpuPct) ? x.cpuPct : 0), 0),
      nodeRssMiB: o.rssKiB / 1024,
      ffmpegRssMiB: k.reduce((a, x) => a + x.rssKiB, 0) / 1024,
    });
  }
  const med = (f: (m: Measure) => number) => median(wins.map(f));
  return { nodeCpu: med((m) => m.nodeCpu), ffmpegCpu: med((m) => m.ffmpegCpu), nodeRssMiB: med((m) => m.nodeRssMiB), ffmpegRssMiB: med((m) => m.ffmpegRssMiB) };
}

const relay = await startRelay({ logDir: dir, dbPath: path.join(dir, 'relay.db'), env: { HELPPOINT_WORKERS: '1' } });
try {
  for (const fps of fpsList) {
    const kiosk = await startSimTerminal({
      relayUrl: relay.ready['url']!,
      terminalId: TERMINAL,
      logDir: dir,
      env: { HELPPOINT_VIDEO_FPS: String(fps), HELPPOINT_VIDEO_WIDTH: String(args.width), HELPPOINT_VIDEO_HEIGHT: String(args.height) },
    });
    const statusUrl = kiosk.ready['statusUrl']!;
    try {
      await eventually(async () => (await kioskStatus(statusUrl)).relay.connected, 15_000, 'terminal connected');
      await sleep(2000);
      rows.push({ fps, phase: 'idle', m: await measure(kiosk), framesPerS: 0 });
      await pressButton(statusUrl);
      await eventually(async () => (await kioskStatus(statusUrl)).media.videoFramesSent > fps, 15_000, 'camera frames flowing');
      await sleep(2000);
      const f0 = (await kioskStatus(statusUrl)).media.videoFramesSent;
      const t0 = performance.now();
      const inCall = await measure(kiosk);
      const f1 = (await kioskStatus(statusUrl)).media.videoFramesSent;
      rows.push({ fps, phase: 'in a call', m: inCall, framesPerS: (f1 - f0) / ((performance.now() - t0) / 1000) });
      await pressButton(statusUrl, 'long-press');
      await eventually(async () => (await kioskStatus(statusUrl)).call.state === 'idle', 10_000, 'idle again');
      process.stderr.write(`${fps} fps: idle ${fmt(rows[rows.length - 2]!.m.nodeCpu, 1)} % / in call ${fmt(inCall.nodeCpu, 1)} % + ffmpeg ${fmt(inCall.ffmpegCpu, 1)} %\n`);
    } finally {
      await kiosk.stop();
    }
  }
} finally {
  await relay.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}

const table = mdTable(
  ['camera', 'state', 'kiosk Node CPU (% of a core)', 'ffmpeg CPU (%)', 'total CPU (%)', 'kiosk Node RSS (MiB)', 'ffmpeg RSS (MiB)', 'frames sent per s'],
  rows.map((r) => [
    `${args.width}×${args.height} ${r.fps} fps`,
    r.phase,
    fmt(r.m.nodeCpu, 1),
    fmt(r.m.ffmpegCpu, 1),
    fmt(r.m.nodeCpu + r.m.ffmpegCpu, 1),
    fmt(r.m.nodeRssMiB, 0),
    fmt(r.m.ffmpegRssMiB, 0),
    r.phase === 'idle' ? '–' : fmt(r.framesPerS, 1),
  ]),
);
publish(
  {
    id: 'kiosk-footprint',
    title: 'Kiosk footprint',
    target: 'none set by the issue: measured so a terminal\'s hardware can be sized',
    machine,
    setup: `One simulated terminal (ffmpeg test-pattern camera, tone microphone; camera ${process.env['HELPPOINT_CAMERA_WARM'] === '1' ? 'kept warm while idle' : 'started at the press, the default'}) against a relay process; "in a call" is ringing with camera and microphone sent (VP8 + opus through wrtc), nobody answering. Medians of ${args.repeats} windows of ${args.window} s.`,
    table,
    headline: rows.map((r) => `${r.fps} fps ${r.phase}: ${fmt(r.m.nodeCpu + r.m.ffmpegCpu, 0)} % CPU, ${fmt(r.m.nodeRssMiB + r.m.ffmpegRssMiB, 0)} MiB`).join('; '),
    met: null,
  },
  { write: !args.dryRun },
);
