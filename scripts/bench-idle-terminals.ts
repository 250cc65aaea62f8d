/**
 * Idle terminals: N signalling-only terminals (hello + heartbeats every 10 s,
 * the relay's own interval) connected to one relay process with one mediasoup
 * worker. Measures the relay's CPU (median of several windows), RSS, memory
 * per terminal (RSS growth over the idle relay ÷ N) and heartbeat lag. Every
 * heartbeat carries the health report a real terminal sends (the kiosk's own
 * HealthCollector), as the relay stores each one (--health=false: bare beats).
 *   node scripts/bench-idle-terminals.ts [--sizes 1000,5000,10000] [--window 15] [--repeats 3] [--health=false] [--dry-run]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { intList, parseArgs } from './lib/bench/args.ts';
import { machineInfo } from './lib/bench/machine.ts';
import { ProcSampler, machineBusy, procSnapshot } from './lib/bench/procStats.ts';
import { sleep, startBenchRelay } from './lib/bench/relayProcess.ts';
import { mdTable, publish } from './lib/bench/report.ts';
import { fmt, median, percentile } from './lib/bench/stats.ts';
import { registerSimTerminals, simTerminalIds } from './lib/bench/terminalAuth.ts';
import { TerminalSwarm } from './lib/bench/TerminalSwarm.ts';
import { SimHealth } from './lib/bench/simHealth.ts';

const USAGE = 'usage: bench-idle-terminals [--sizes 1000,5000] [--window 15] [--repeats 3] [--health=false] [--dry-run]   (full: --sizes 1000,5000,10000)';
const args = parseArgs(process.argv.slice(2), { sizes: '1000,5000', window: 15, repeats: 3, health: true, dryRun: false }, USAGE);
const health = args.health ? await SimHealth.create() : undefined;
const sizes = intList(args.sizes, 'sizes');
if (args.window < 1 || args.repeats < 1) throw new Error(`--window and --repeats must be ≥ 1\n${USAGE}`);

const machine = machineInfo();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-bench-idle-'));
const dbPath = path.join(dir, 'relay.db');
const ids = simTerminalIds(Math.max(...sizes));
registerSimTerminals(dbPath, ids);

interface Row {
  n: number;
  rampS: number;
  cpuPct: number;
  rssMiB: number;
  kibEach: number;
  lagP50: number;
  lagP95: number;
  lagMax: number;
  failures: number;
  simCpuPct: number;
  busyPct: number;
}
const rows: Row[] = [];

try {
  for (const n of sizes) {
    const r = await startBenchRelay({ dir, dbPath, workers: 1, name: `relay-${n}` });
    const swarm = new TerminalSwarm({ url: r.wsTerminalUrl, ids: ids.slice(0, n), ...(health ? { health } : {}) });
    try {
      await sleep(2000);
      const baseRss = procSnapshot(r.pid)!.rssKiB;
      const rampStart = performance.now();
      await swarm.connectAll();
      await swarm.whenAllOnline(120_000);
      const rampS = (performance.now() - rampStart) / 1000;
      process.stderr.write(`${n} terminals online in ${rampS.toFixed(1)} s; letting the first heartbeats spread…\n`);
      await sleep(10_000);
      swarm.takeLags();
      const cpus: number[] = [];
      const lags: number[] = [];
      const busy = machineBusy();
      const simStart = process.cpuUsage();
      const simT0 = performance.now();
      let rss = 0;
      for (let w = 0; w < args.repeats; w++) {
        const sampler = new ProcSampler({ pid: r.pid }).start();
        await sleep(args.window * 1000);
        const win = sampler.stop();
        cpus.push(win.cpuPct);
        rss = win.rssKiB;
        lags.push(...swarm.takeLags());
        process.stderr.write(`  window ${w + 1}/${args.repeats}: relay ${win.cpuPct.toFixed(1)} % CPU, RSS ${(win.rssKiB / 1024).toFixed(0)} MiB, ${swarm.online}/${n} online\n`);
      }
      const simUse = process.cpuUsage(simStart);
      rows.push({
        n,
        rampS,
        cpuPct: median(cpus),
        rssMiB: rss / 1024,
        kibEach: (rss - baseRss) / n,
        lagP50: percentile(lags, 50),
        lagP95: percentile(lags, 95),
        lagMax: percentile(lags, 100),
        failures: swarm.heartbeatFailures + (n - swarm.online),
        simCpuPct: ((simUse.user + simUse.system) / 1000 / (performance.now() - simT0)) * 100,
        busyPct: busy(),
      });
    } finally {
      swarm.close();
      await r.relay.stop();
    }
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}

const perCore = (row: Row) => (row.cpuPct > 0 ? (row.n * 100) / row.cpuPct : Number.NaN);
const table = mdTable(
  ['terminals', 'relay CPU (% of 1 core)', 'relay RSS (MiB)', 'KiB per terminal', 'marginal KiB per terminal', 'heartbeat lag p50 / p95 / max (ms)', 'missed beats', 'terminals per core (projected)', 'connect ramp (s)', 'machine busy (%)'],
  rows.map((x, i) => [
    x.n,
    fmt(x.cpuPct, 1),
    fmt(x.rssMiB, 0),
    fmt(x.kibEach, 1),
    // Growth from the previous size: leaves out the relay's one-off heap growth.
    i > 0 ? fmt(((x.rssMiB - rows[i - 1]!.rssMiB) * 1024) / (x.n - rows[i - 1]!.n), 1) : '–',
    `${fmt(x.lagP50, 1)} / ${fmt(x.lagP95, 1)} / ${fmt(x.lagMax, 0)}`,
    x.failures,
    fmt(perCore(x), 0),
    fmt(x.rampS, 1),
    fmt(x.busyPct, 0),
  ]),
);
const big = rows.find((x) => x.n >= 10_000);
const last = rows[rows.length - 1]!;
publish(
  {
    id: 'idle-terminals',
    title: 'Idle terminals on one relay',
    target: '≥ 10,000 terminals on one relay core, ≤ 20 KB each',
    machine,
    setup: `Signalling-only simulated terminals (hello + a heartbeat every 10 s${health ? ' carrying the health report a real terminal sends (kiosk HealthCollector)' : ', bare: no health report'}, one process), one relay process with 1 mediasoup worker; relay CPU is the median of ${args.repeats} windows of ${args.window} s after the ramp; KiB per terminal = relay RSS growth over the idle relay ÷ N.`,
    table,
    notes: [
      'The target is judged on "KiB per terminal" (all growth over the idle relay ÷ N, so it includes one-off heap growth); "marginal" is the growth from the previous size ÷ the added terminals. "terminals per core" divides N by the relay\'s CPU share: how many a fully busy core would carry at this rate. "machine busy" is the whole machine (all cores, including the simulator and other work) during the windows.',
    ],
    headline: rows.map((x) => `${x.n}: ${fmt(x.cpuPct, 1)} % CPU, ${fmt(x.kibEach, 1)} KiB each, lag p95 ${fmt(x.lagP95, 1)} ms`).join('; '),
    met: big ? big.cpuPct < 100 && big.kibEach <= 20 && big.failures === 0 : perCore(last) >= 10_000 && last.kibEach <= 20 ? null : false,
    result: {
      health: Boolean(health),
      terminals: last.n,
      cpu_pct: last.cpuPct,
      kib_each: last.kibEach,
      lag_p50_ms: last.lagP50,
      lag_p95_ms: last.lagP95,
      lag_max_ms: last.lagMax,
      missed: last.failures,
      load1: Number(machine.load1),
    },
  },
  { write: !args.dryRun },
);
