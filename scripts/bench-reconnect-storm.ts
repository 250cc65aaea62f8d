/**
 * Reconnect storm: N signalling-only terminals are online; the relay process
 * is killed and started again on the same port and database; every terminal
 * reconnects on its own with the kiosk's capped backoff and jitter. Measures
 * the time until all are back (from the kill and from the new relay's start)
 * and the new relay's peak CPU. Median over --repeats restarts.
 *   node scripts/bench-reconnect-storm.ts [--terminals 2000] [--repeats 3] [--dry-run]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from './lib/bench/args.ts';
import { machineInfo } from './lib/bench/machine.ts';
import { ProcSampler } from './lib/bench/procStats.ts';
import { sleep, startBenchRelay, type BenchRelay } from './lib/bench/relayProcess.ts';
import { mdTable, publish } from './lib/bench/report.ts';
import { fmt, median } from './lib/bench/stats.ts';
import { registerSimTerminals, simTerminalIds } from './lib/bench/terminalAuth.ts';
import { TerminalSwarm } from './lib/bench/TerminalSwarm.ts';

const USAGE = 'usage: bench-reconnect-storm [--terminals 2000] [--repeats 3] [--timeout 120] [--dry-run]   (full: --terminals 5000)';
const args = parseArgs(process.argv.slice(2), { terminals: 2000, repeats: 3, timeout: 120, dryRun: false }, USAGE);
if (!Number.isInteger(args.terminals) || args.terminals < 1 || args.repeats < 1) throw new Error(USAGE);

const machine = machineInfo();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-bench-storm-'));
const dbPath = path.join(dir, 'relay.db');
const ids = simTerminalIds(args.terminals);
registerSimTerminals(dbPath, ids);

interface Run {
  fromKillS: number;
  fromReadyS: number;
  halfS: number;
  restartS: number;
  peakCpuPct: number;
  avgCpuPct: number;
  failedAttempts: number;
}
const runs: Run[] = [];

let relay: BenchRelay = await startBenchRelay({ dir, dbPath, workers: 1, name: 'relay-0' });
const port = Number(new URL(relay.url).port);
const swarm = new TerminalSwarm({ url: relay.wsTerminalUrl, ids });
try {
  await swarm.connectAll();
  await swarm.whenAllOnline(args.timeout * 1000);
  process.stderr.write(`${args.terminals} terminals online\n`);
  for (let i = 0; i < args.repeats; i++) {
    await sleep(3000);
    const failuresBefore = swarm.connectFailures;
    const killedAt = performance.now();
    await relay.relay.stop('SIGKILL');
    const t = performance.now();
    while (swarm.online > 0 && performance.now() - t < 10_000) await sleep(20);
    const startAt = performance.now();
    relay = await startBenchRelay({ dir, dbPath, workers: 1, port, name: `relay-${i + 1}` });
    const readyAt = performance.now();
    const sampler = new ProcSampler({ pid: relay.pid, intervalMs: 250 }).start();
    let halfAt = Number.NaN;
    const onOnline = (n: number) => {
      if (Number.isNaN(halfAt) && n >= args.terminals / 2) halfAt = performance.now();
    };
    swarm.on('online', onOnline);
    await swarm.whenAllOnline(args.timeout * 1000);
    const backAt = performance.now();
    swarm.off('online', onOnline);
    const cpu = sampler.stop();
    runs.push({
      fromKillS: (backAt - killedAt) / 1000,
      fromReadyS: (backAt - readyAt) / 1000,
      halfS: (halfAt - killedAt) / 1000,
      restartS: (readyAt - startAt) / 1000,
      peakCpuPct: cpu.peakCpuPct,
      avgCpuPct: cpu.cpuPct,
      failedAttempts: swarm.connectFailures - failuresBefore,
    });
    const r = runs[runs.length - 1]!;
    process.stderr.write(`restart ${i + 1}/${args.repeats}: all back ${r.fromKillS.toFixed(1)} s after the kill (${r.fromReadyS.toFixed(1)} s after the new relay was ready), peak relay CPU ${r.peakCpuPct.toFixed(0)} %\n`);
  }
} finally {
  swarm.close();
  await relay.relay.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}

const col = (f: (r: Run) => number, d = 1) => fmt(median(runs.map(f)), d);
const table = mdTable(
  ['terminals', 'restarts', 'all back after kill (s)', 'after new relay ready (s)', 'half back (s)', 'relay start (s)', 'peak relay CPU (%)', 'mean relay CPU (%)', 'refused/failed attempts'],
  [[args.terminals, runs.length, col((r) => r.fromKillS), col((r) => r.fromReadyS), col((r) => r.halfS), col((r) => r.restartS), col((r) => r.peakCpuPct, 0), col((r) => r.avgCpuPct, 0), col((r) => r.failedAttempts, 0)]],
);
const back = median(runs.map((r) => r.fromKillS));
publish(
  {
    id: 'reconnect-storm',
    title: 'Reconnect storm after a relay restart',
    target: 'all 5,000 terminals back within 30 s',
    machine,
    setup: `${args.terminals} simulated terminals (kiosk backoff: 500 ms doubling to 30 s, up to half taken off at random); the relay (1 worker) is killed with SIGKILL and started again on the same port and database; medians of ${runs.length} restarts. CPU is the new relay's Node process (% of one core, sampled every 250 ms).`,
    table,
    notes: ['"refused/failed attempts" are connection attempts that found no relay yet (the kiosk then waits longer, as real terminals would).'],
    headline: `${args.terminals} terminals back in ${fmt(back, 1)} s (peak CPU ${col((r) => r.peakCpuPct, 0)} %)`,
    met: args.terminals >= 5000 ? back <= 30 : null,
  },
  { write: !args.dryRun },
);
