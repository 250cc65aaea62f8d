// Fuzz a relay process's gateways and HTTP API in rounds and print its memory
// (RSS from /proc) after each round, to see whether bad input makes it grow.
// Usage: node scripts/fuzz-relay.ts [rounds=5] [framesPerRound=5000] [seed]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRelay } from './lib/launch.ts';
import { RawPeer } from '../test/support/relayHarness.ts';
import { CONSOLE_TYPES, Fuzzer, TERMINAL_TYPES } from '../test/support/fuzz.ts';
import { signIn } from '../test/support/station.ts';

const rounds = Number(process.argv[2] ?? 5);
const perRound = Number(process.argv[3] ?? 5000);
const seed = Number(process.argv[4] ?? Date.now() % 1e9);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-fuzz-'));
const relay = await startRelay({ logDir: dir, dbPath: path.join(dir, 'relay.db'), env: { HELPPOINT_WORKERS: '1', HELPPOINT_LOG_LEVEL: 'error' } });
const base = relay.ready['url']!;
const ws = base.replace('http', 'ws');
const rssMb = () => {
  const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${relay.child.pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 102.4) / 10 : NaN;
};

async function socketRound(fz: Fuzzer, url: string, headers: Record<string, string>, types: string[], hello: unknown, n: number): Promise<number> {
  const peer = await RawPeer.open(url, headers);
  if (hello) await peer.request(1, 'hello', hello);
  let id = 10;
  for (let sent = 0; sent < n; ) {
    for (let i = 0; i < 200 && sent < n; i++, sent++) peer.ws.send(fz.frame(++id, types));
    await peer.request(++id, 'heartbeat', { seq: 0, uptimeS: 0 });
  }
  const errors = peer.frames.filter((f) => f['ok'] === false).length;
  peer.close();
  return errors;
}

console.log(`seed ${seed}; ${rounds} rounds of ${perRound} frames per gateway + ${perRound / 5} HTTP requests`);
console.log('round  rss_mb  terminal_errors  console_errors  http_5xx');
console.log(`start  ${rssMb()}`);
const fz = new Fuzzer(seed);
const cookie = await signIn(base);
const noHello = TERMINAL_TYPES.filter((t) => t !== 'hello');
for (let r = 1; r <= rounds; r++) {
  const te = await socketRound(fz, `${ws}/ws/terminal`, {}, noHello, { terminalId: 'XC-HT-003', version: 'fuzz' }, perRound);
  const ce = await socketRound(fz, `${ws}/ws/console`, { cookie }, CONSOLE_TYPES, {}, perRound);
  let h5 = 0;
  for (let i = 0; i < perRound / 5; i++) {
    const res = await fetch(`${base}${fz.pick(['/api/login', '/api/calls', '/api/calls/x', '/api/%ZZ', '/healthz'])}`, {
      method: fz.pick(['GET', 'POST', 'PUT']),
      headers: { 'content-type': 'application/json', cookie },
      ...(fz.chance(0.5) ? { body: fz.frame(i, ['login']) as BodyInit } : {}),
    }).catch(() => null);
    if (res && res.status >= 500) h5++;
    await res?.arrayBuffer();
  }
  console.log(`${String(r).padEnd(5)}  ${String(rssMb()).padEnd(6)}  ${String(te).padEnd(15)}  ${String(ce).padEnd(14)}  ${h5}`);
}
const alive = (await fetch(`${base}/healthz`)).status === 200;
console.log(`relay still serving: ${alive}`);
await relay.stop();
fs.rmSync(dir, { recursive: true, force: true });
process.exit(alive ? 0 : 1);
