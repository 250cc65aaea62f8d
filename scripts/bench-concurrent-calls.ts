/**
 * Concurrent calls on the relay's mediasoup worker pool: M calls, each a
 * terminal producing VP8 (500 kbit/s, 640×480 15 fps) + opus and two consoles
 * consuming both. Media is a pre-encoded RTP clip replayed to every call
 * (no encoder per call); consoles are UDP sinks counting packets and gaps.
 * M grows step by step until quality drops (loss or scores) or the last step.
 * Runs the relay's WorkerPool in this process: signalling is not part of
 * this measurement (see bench-idle-terminals for that side).
 *   node scripts/bench-concurrent-calls.ts [--steps 25,50,100,150] [--workers 2] [--window 5] [--repeats 3] [--dry-run]
 */
import dgram from 'node:dgram';
import os from 'node:os';
import pino from 'pino';
import { WorkerPool } from '../relay/src/sfu/WorkerPool.ts';
import { intList, parseArgs } from './lib/bench/args.ts';
import { machineInfo } from './lib/bench/machine.ts';
import { machineBusy, udpReceiveBufferDrops } from './lib/bench/procStats.ts';
import { sleep } from './lib/bench/relayProcess.ts';
import { mdTable, publish } from './lib/bench/report.ts';
import { RtpReplayer } from './lib/bench/RtpReplayer.ts';
import { loadRtpClip } from './lib/bench/rtpClip.ts';
import { RtpSink } from './lib/bench/RtpSink.ts';
import { SimCall } from './lib/bench/SimCall.ts';
import { SrtpEncryptor } from './lib/bench/srtpEncrypt.ts';
import { fmt, median, percentile } from './lib/bench/stats.ts';

const USAGE = 'usage: bench-concurrent-calls [--steps 25,50,100,150] [--workers 2] [--window 5] [--repeats 3] [--max-loss 1] [--sample-every 5] [--dry-run]   (full: --steps 25,50,100,150,200,250,300)';
const args = parseArgs(process.argv.slice(2), { steps: '25,50,100,150', workers: 2, window: 5, repeats: 3, maxLoss: 1, sampleEvery: 5, dryRun: false }, USAGE);
const steps = intList(args.steps, 'steps').sort((a, b) => a - b);
if (!Number.isInteger(args.workers) || args.workers < 1 || args.window < 1 || args.repeats < 1 || !Number.isInteger(args.sampleEvery) || args.sampleEvery < 1) throw new Error(USAGE);
const CONSOLES = 2;

const machine = machineInfo();
const clip = await loadRtpClip();
const pool = await WorkerPool.create({ numWorkers: args.workers, listenIp: '127.0.0.1', announcedAddress: undefined, basePort: 0, logger: pino({ level: 'warn' }) });
const srtp = new SrtpEncryptor();
const replayer = new RtpReplayer(clip, srtp);
const calls: { call: SimCall; sink: RtpSink | null; slot: ReturnType<WorkerPool['acquire']> }[] = [];
// Consoles of calls that are not sampled send to a port nobody listens on:
// the kernel drops those packets, so the load generator spends no CPU on them.
const nowhere = await unboundPort();

interface Step {
  calls: number;
  workerCpu: number[];
  lossPct: number;
  producerScoreMin: number;
  producerScoreMed: number;
  consumerScoreMin: number;
  latenessP95: number;
  egressKpps: number;
  busyPct: number;
  rcvbufDrops: number;
  /** The load generator could not keep time: this step says nothing about the relay. */
  starved: boolean;
}
const results: Step[] = [];

async function unboundPort(): Promise<number> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
  const { port } = sock.address();
  await new Promise<void>((resolve) => sock.close(() => resolve()));
  return port;
}

async function workerCpuMs(): Promise<number[]> {
  return Promise.all(pool.slots.map(async (s) => {
    const u = await s.worker.getResourceUsage();
    return u.ru_utime + u.ru_stime;
  }));
}

function sinkTotals() {
  let received = 0;
  let expected = 0;
  for (const c of calls) {
    if (!c.sink) continue;
    const t = c.sink.totals();
    received += t.received;
    expected += t.expected;
  }
  return { received, expected };
}

try {
  await replayer.start();
  for (const m of steps) {
    while (calls.length < m) {
      const slot = pool.acquire();
      const sink = calls.length % args.sampleEvery === 0 ? new RtpSink() : null;
      const port = sink ? await sink.start() : nowhere;
      calls.push({ call: await SimCall.create({ slot, sinkPort: port, consoles: CONSOLES, srtpKeyBase64: srtp.keyBase64 }), sink, slot });
    }
    replayer.setTargets(calls.map((c) => c.call.sendPort));
    // Let every consumer see a keyframe (one every 2 s in the clip) before counting.
    await sleep(3000);
    replayer.takeLateness();
    const busy = machineBusy();
    const cpuWindows: number[][] = [];
    const t0Sink = sinkTotals();
    const drops0 = udpReceiveBufferDrops();
    const tStart = performance.now();
    for (let w = 0; w < args.repeats; w++) {
      const a = await workerCpuMs();
      const ta = performance.now();
      await sleep(args.window * 1000);
      const b = await workerCpuMs();
      const dt = performance.now() - ta;
      cpuWindows.push(b.map((v, i) => ((v - a[i]!) / dt) * 100));
    }
    const t1Sink = sinkTotals();
    const dRecv = t1Sink.received - t0Sink.received;
    const dExp = t1Sink.expected - t0Sink.expected;
    const pScores = calls.flatMap((c) => c.call.producers.filter((p) => p.kind === 'video').map((p) => p.score[0]?.score ?? 0));
    const cScores = calls.flatMap((c) => c.call.consumers.map((cn) => cn.score.score));
    const step: Step = {
      calls: m,
      workerCpu: pool.slots.map((_, i) => median(cpuWindows.map((wv) => wv[i]!))),
      lossPct: dExp > 0 ? Math.max(0, (1 - dRecv / dExp) * 100) : Number.NaN,
      producerScoreMin: Math.min(...pScores),
      producerScoreMed: median(pScores),
      consumerScoreMin: Math.min(...cScores),
      latenessP95: percentile(replayer.takeLateness(), 95),
      egressKpps: dRecv / ((performance.now() - tStart) / 1000) / 1000,
      busyPct: busy(),
      rcvbufDrops: udpReceiveBufferDrops() - drops0,
      starved: false,
    };
    step.starved = step.latenessP95 > 100;
    results.push(step);
    process.stderr.write(
      `${m} calls: workers ${step.workerCpu.map((c) => c.toFixed(0)).join(' / ')} % CPU, loss ${step.lossPct.toFixed(2)} %, video producer score min ${step.producerScoreMin} median ${step.producerScoreMed}, sender lateness p95 ${step.latenessP95.toFixed(1)} ms\n`,
    );
    if (step.starved) {
      process.stderr.write(`the load generator was starved of CPU at ${m} calls (the machine is too busy): stopping, this step says nothing about the relay\n`);
      break;
    }
    if (step.lossPct > args.maxLoss || step.producerScoreMed < 8) {
      process.stderr.write(`quality dropped at ${m} calls: stopping\n`);
      break;
    }
  }
} finally {
  replayer.close();
  for (const c of calls) {
    c.call.close();
    c.sink?.close();
  }
  await pool.close();
}

const first = results[0];
const perCall = (s: Step) => s.workerCpu.reduce((a, b) => a + b, 0) / s.calls;
const good = results.filter((s) => !s.starved && s.lossPct <= args.maxLoss && s.producerScoreMed >= 8);
const dropped = results.find((s) => !s.starved && (s.lossPct > args.maxLoss || s.producerScoreMed < 8));
const best = good[good.length - 1];
const table = mdTable(
  ['calls', 'worker CPU (% of a core, each)', 'CPU per call (%)', 'per call vs first step', 'packet loss to consoles (%)', 'video producer score min / median', 'consumer score min', 'console packets (k/s)', 'sender lateness p95 (ms)', 'UDP receive-buffer drops (whole machine)', 'machine busy (%)'],
  results.map((s) => [
    s.calls,
    s.workerCpu.map((c) => fmt(c, 0)).join(' / '),
    fmt(perCall(s), 2),
    first ? fmt(perCall(s) / perCall(first), 2) : '–',
    fmt(s.lossPct, 2),
    `${s.producerScoreMin} / ${s.producerScoreMed}`,
    s.consumerScoreMin,
    fmt(s.egressKpps, 1),
    fmt(s.latenessP95, 1),
    s.rcvbufDrops,
    fmt(s.busyPct, 0) + (s.starved ? ' (generator starved)' : ''),
  ]),
);
publish(
  {
    id: 'concurrent-calls',
    title: 'Concurrent calls on the mediasoup workers',
    target: '≥ 150 calls on this machine\'s 2 workers',
    machine,
    setup: `${args.workers} mediasoup workers (the relay's WorkerPool, in this process; no signalling). Each call: a PlainTransport producer of VP8 ${clip.videoKbps} kbit/s 640×480 15 fps + opus (a ${clip.durationS} s pre-encoded clip, SRTP-encrypted once and replayed to every call from one Node socket), two consoles each consuming both, all over SRTP PlainTransports; every ${args.sampleEvery}th call's consoles are UDP sinks that count packets and gaps, the others send to a closed port (the kernel drops them). Worker CPU is the median of ${args.repeats} windows of ${args.window} s per step; quality drops when loss > ${args.maxLoss} % or the median video producer score < 8. The load generator shares the ${os.cpus().length} cores with the workers.`,
    table,
    notes: [
      'Sender lateness belongs to the load generator (this process): above 100 ms it was starved of CPU and the step is not judged. UDP receive-buffer drops count every socket on the machine (other work included); when they rise with the loss, the loss is the sinks\' and not the relay\'s. Not included: ICE checks and the DTLS handshake of WebRTC transports (SRTP is), and bandwidth estimation feedback from real receivers. Consumer scores come from RTCP receiver reports, which UDP sinks do not send: they stay at their initial value.',
    ],
    headline: best ? `held ${best.calls} calls (workers ${best.workerCpu.map((c) => fmt(c, 0)).join('/')} % CPU, loss ${fmt(best.lossPct, 2)} %)` : 'no step held',
    // Not met only when the relay itself dropped quality below 150 calls; a starved generator proves nothing.
    met: best && best.calls >= 150 ? true : dropped && dropped.calls <= 150 ? false : null,
  },
  { write: !args.dryRun },
);
