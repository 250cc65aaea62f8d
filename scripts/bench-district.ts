/**
 * District federation at scale (issue 14): S station relays × N
 * signalling-only terminals each, a 3-node NATS cluster (JetStream R3) and a
 * district relay, all on this machine. Measures what a district officer
 * would notice:
 *   - a terminal going offline / online at its station → the district map
 *     (/ws/district, what the district console gets) showing it (p50/p95);
 *   - a press nobody answers → the district desk ringing, minus the
 *     configured district timeout (the federation's own delay);
 *   - CPU and memory of the NATS servers, the district relay and the stations.
 *   node scripts/bench-district.ts [--stations 20] [--per-station 500] [--samples 40] [--presses 3] [--escalate-ms 30000]
 * Smaller runs for a busy machine: --stations 4 --per-station 100 --escalate-ms 5000.
 */
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import type { DistrictPush } from '../shared/src/protocol/district.ts';
import { parseArgs } from './lib/bench/args.ts';
import { machineInfo, machineLine } from './lib/bench/machine.ts';
import { ProcSampler, procSnapshot } from './lib/bench/procStats.ts';
import { sleep, startBenchRelay, type BenchRelay } from './lib/bench/relayProcess.ts';
import { fmt, percentile } from './lib/bench/stats.ts';
import { registerSimTerminals, simTerminalIds } from './lib/bench/terminalAuth.ts';
import { TerminalSwarm } from './lib/bench/TerminalSwarm.ts';
import { signIn } from './lib/launch.ts';
import { NatsCluster } from './lib/nats/NatsCluster.ts';

const USAGE = 'usage: bench-district [--stations 20] [--per-station 500] [--samples 40] [--presses 3] [--escalate-ms 30000] [--nats-port 14270]';
const args = parseArgs(process.argv.slice(2), { stations: 20, perStation: 500, samples: 40, presses: 3, escalateMs: 30_000, natsPort: 14270, presenceTtlMs: 30_000 }, USAGE);
const log = (s: string) => process.stderr.write(`${s}\n`);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-bench-district-'));
const stationIds = Array.from({ length: args.stations }, (_, i) => `s${String(i + 1).padStart(2, '0')}`);
const ids = simTerminalIds(args.perStation);
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const keyFile = path.join(dir, 'district-key.pem');
const pubFile = path.join(dir, 'district-pub.pem');
fs.writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
fs.writeFileSync(pubFile, publicKey.export({ type: 'spki', format: 'pem' }));
const users = { district: { id: 'district', user: 'district', password: 'bench-district' }, stations: stationIds.map((id) => ({ id, user: `station-${id}`, password: `bench-${id}` })) };

const relays: BenchRelay[] = [];
const swarms = new Map<string, TerminalSwarm>();
let nats: NatsCluster | null = null;
let observer: WebSocket | null = null;

/** What the district console would show, with the time each change arrived. */
const shown = new Map<string, { status: string; stale: boolean }>();
const waiters: { match: (p: DistrictPush) => boolean; resolve: (at: number) => void }[] = [];
function waitPush(match: (p: DistrictPush) => boolean, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const w = { match, resolve: (at: number) => (clearTimeout(t), resolve(at)) };
    const t = setTimeout(() => {
      waiters.splice(waiters.indexOf(w), 1);
      reject(new Error('timed out waiting for the district'));
    }, timeoutMs);
    waiters.push(w);
  });
}

try {
  nats = await NatsCluster.start({ dir: path.join(dir, 'nats'), basePort: args.natsPort, nodes: 3, users });
  const natsEnv = { HELPPOINT_NATS_URLS: nats.urls.join(','), HELPPOINT_PRESENCE_TTL_MS: String(args.presenceTtlMs) };
  const district = await startBenchRelay({
    dir,
    dbPath: path.join(dir, 'district.db'),
    workers: 1,
    name: 'relay-district',
    timeoutMs: 180_000,
    env: { ...natsEnv, HELPPOINT_DEMO: '1', HELPPOINT_ROLE: 'district', HELPPOINT_NATS_USER: 'district', HELPPOINT_NATS_PASSWORD: 'bench-district', HELPPOINT_DISTRICT_KEY_FILE: keyFile, HELPPOINT_DISTRICT_ESCALATE_MS: String(args.escalateMs), HELPPOINT_LOG_LEVEL: 'warn' },
  });
  relays.push(district);
  await sleep(1500); // the district provisions the bucket and stream
  for (const sid of stationIds) {
    const dbPath = path.join(dir, `station-${sid}.db`);
    registerSimTerminals(dbPath, ids);
    const r = await startBenchRelay({
      dir,
      dbPath,
      workers: 1,
      name: `relay-${sid}`,
      // 20 relays starting one after another on a busy 2-core machine: each may take a while.
      timeoutMs: 180_000,
      env: { ...natsEnv, HELPPOINT_STATION_ID: sid, HELPPOINT_NATS_USER: `station-${sid}`, HELPPOINT_NATS_PASSWORD: `bench-${sid}`, HELPPOINT_DISTRICT_PUBLIC_KEY_FILE: pubFile, HELPPOINT_RECORD: '0', HELPPOINT_LOG_LEVEL: 'warn', HELPPOINT_RING_TIMEOUT_MS: String(args.escalateMs + 120_000), HELPPOINT_ESCALATE_AFTER_MS: String(args.escalateMs + 60_000) },
    });
    relays.push(r);
    swarms.set(sid, new TerminalSwarm({ url: r.wsTerminalUrl, ids }));
  }
  log(`${args.stations} station relays and the district relay up`);

  const cookie = await signIn(district.url, 'officer1', 'demo-officer1');
  observer = new WebSocket(`${district.url.replace(/^http/, 'ws')}/ws/district`, { headers: { cookie } });
  observer.on('message', (raw) => {
    const at = performance.now();
    const p = JSON.parse(raw.toString()) as DistrictPush;
    if (p.type === 'snapshot') for (const t of p.data.terminals) shown.set(t.key, { status: t.status, stale: t.stale });
    if (p.type === 'terminal') shown.set(p.data.key, { status: p.data.status, stale: p.data.stale });
    for (const w of [...waiters]) {
      if (!w.match(p)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(at);
    }
  });
  await new Promise((r, j) => (observer!.once('open', r), observer!.once('error', j)));

  const total = args.stations * args.perStation;
  const rampStart = performance.now();
  for (const s of swarms.values()) await s.connectAll(100);
  await Promise.all([...swarms.values()].map((s) => s.whenAllOnline(300_000)));
  const rampS = (performance.now() - rampStart) / 1000;
  log(`${total} terminals online at their stations in ${rampS.toFixed(1)} s`);
  for (let i = 0; ; i++) {
    const online = [...shown.values()].filter((v) => v.status === 'online' && !v.stale).length;
    if (online >= total) break;
    if (i > 1200) throw new Error(`the district map shows only ${online}/${total} online`);
    await sleep(250);
  }
  const visibleS = (performance.now() - rampStart) / 1000;
  log(`…and all online on the district map after ${visibleS.toFixed(1)} s`);
  await sleep(5000);

  // Offline → online, one terminal at a time at random stations.
  const offMs: number[] = [];
  const onMs: number[] = [];
  for (let i = 0; i < args.samples; i++) {
    const sid = stationIds[Math.floor(Math.random() * stationIds.length)]!;
    const tid = ids[Math.floor(Math.random() * ids.length)]!;
    const key = `${sid}.${tid}`;
    const swarm = swarms.get(sid)!;
    let t0 = performance.now();
    const off = waitPush((p) => p.type === 'terminal' && p.data.key === key && p.data.status === 'offline', 15_000);
    swarm.hold(tid);
    offMs.push((await off) - t0);
    await sleep(200);
    t0 = performance.now();
    const on = waitPush((p) => p.type === 'terminal' && p.data.key === key && p.data.status === 'online', 15_000);
    swarm.release(tid);
    onMs.push((await on) - t0);
    await sleep(100);
  }
  log(`offline→map p50 ${fmt(percentile(offMs, 50))} ms p95 ${fmt(percentile(offMs, 95))} ms; online→map p50 ${fmt(percentile(onMs, 50))} ms p95 ${fmt(percentile(onMs, 95))} ms`);

  // Idle resource use with the whole district connected (presence refreshes flowing).
  const sampler = new ProcSampler({ pid: district.pid }).start();
  await sleep(15_000);
  const win = sampler.stop();
  const natsStats = await nats.stats();
  const stationRssMiB = relays.slice(1).reduce((sum, r) => sum + (procSnapshot(r.pid)?.rssKiB ?? 0), 0) / 1024;

  // Presses nobody answers at their stations: the district desk rings after its timeout.
  const ringMs: number[] = [];
  await Promise.all(
    Array.from({ length: Math.min(args.presses, stationIds.length) }, async (_, i) => {
      const sid = stationIds[(i * 7) % stationIds.length]!;
      const tid = ids[i]!;
      const t0 = performance.now();
      const ring = waitPush((p) => p.type === 'call' && p.data.station === sid && p.data.terminal.id === tid && p.data.districtRinging, args.escalateMs + 30_000);
      if (!swarms.get(sid)!.send(tid, 'help.request', { requestId: `bench-${sid}-${tid}-${Date.now()}` })) throw new Error(`${sid}/${tid} offline`);
      ringMs.push((await ring) - t0);
    }),
  );
  const ringOverMs = ringMs.map((m) => m - args.escalateMs);
  log(`press→district ring ${ringMs.map((m) => fmt(m)).join(', ')} ms (timeout ${args.escalateMs} ms)`);

  const natsCpu = natsStats.map((s) => s.cpuPercent);
  const natsRss = natsStats.map((s) => s.rssBytes / 1048576);
  console.log(machineLine(machineInfo()));
  console.log(
    `result: stations=${args.stations} terminals=${total} ramp_s=${rampS.toFixed(1)} district_all_visible_s=${visibleS.toFixed(1)} ` +
      `offline_to_map_p50_ms=${fmt(percentile(offMs, 50))} offline_to_map_p95_ms=${fmt(percentile(offMs, 95))} ` +
      `online_to_map_p50_ms=${fmt(percentile(onMs, 50))} online_to_map_p95_ms=${fmt(percentile(onMs, 95))} ` +
      `press_to_district_ring_ms=${fmt(percentile(ringMs, 50))} ring_over_timeout_ms=${fmt(Math.max(...ringOverMs))} escalate_ms=${args.escalateMs} ` +
      `district_cpu_pct=${win.cpuPct.toFixed(1)} district_rss_mib=${(win.rssKiB / 1024).toFixed(0)} ` +
      `nats_cpu_pct=${natsCpu.map((c) => c.toFixed(1)).join('/')} nats_rss_mib=${natsRss.map((m) => m.toFixed(0)).join('/')} ` +
      `stations_rss_mib=${stationRssMiB.toFixed(0)} target_p95_ms=1000`,
  );
} finally {
  observer?.terminate();
  for (const s of swarms.values()) s.close();
  await Promise.allSettled(relays.reverse().map((r) => r.relay.stop()));
  await nats?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
