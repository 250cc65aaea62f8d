// Soak: many simulated terminals press at random while the relay is killed and
// restarted; every press goes through the kiosk's real outbox + courier +
// signalling client. Prints presses sent vs. calls received vs. duplicated,
// and the relay's memory over time.
// Usage: node scripts/soak.ts [--minutes 2] [--terminals 50] [--press-every-ms 500] [--restart-every-s 30]
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import pino from 'pino';
import { SignalClient } from '../kiosk/src/net/SignalClient.ts';
import { Outbox } from '../kiosk/src/store/Outbox.ts';
import { OutboxCourier } from '../kiosk/src/store/OutboxCourier.ts';
import { startRelay, type Launched } from './lib/launch.ts';
import { UNCAPPED_LOOPBACK } from './lib/bench/relayProcess.ts';
import { freePort } from '../test/support/station.ts';
import { lightId, seedLightTerminals } from '../test/support/lightTerminals.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '2' },
    terminals: { type: 'string', default: '50' },
    'press-every-ms': { type: 'string', default: '500' },
    'restart-every-s': { type: 'string', default: '30' },
  },
});
const minutes = Number(values.minutes);
const count = Number(values.terminals);
const pressEveryMs = Number(values['press-every-ms']);
const restartEveryS = Number(values['restart-every-s']);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-soak-'));
const dbPath = path.join(dir, 'relay.db');
const port = await freePort();
const keys = await seedLightTerminals(dbPath, count);
const logger = pino({ level: 'silent' });
let relay: Launched = await startRelay({ logDir: dir, dbPath, port, env: { HELPPOINT_WORKERS: '1', HELPPOINT_LOG_LEVEL: 'warn', ...UNCAPPED_LOOPBACK } });

const terminals = Array.from({ length: count }, (_, i) => {
  const key = keys[i]!;
  const signal = new SignalClient({
    url: `ws://127.0.0.1:${port}/ws/terminal`,
    terminalId: lightId(i),
    version: 'soak',
    signHello: (terminalId, nonce) => key.signHello(terminalId, nonce),
    logger,
    backoff: { baseMs: 500, maxMs: 5000 },
  });
  const outbox = Outbox.open(path.join(dir, 'terminals', lightId(i)));
  const courier = new OutboxCourier({ outbox, signal, activeRequestId: () => null, logger, retryMs: 2000 });
  signal.start();
  return { signal, outbox, courier };
});

const sent: string[] = [];
const rssMb = () => {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${relay.child.pid}/status`, 'utf8'));
    return m ? (Number(m[1]) / 1024).toFixed(1) : '-';
  } catch {
    return '-';
  }
};
const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(0)}s`.padStart(5);
const online = () => terminals.filter((t) => t.signal.ready).length;
const pending = () => terminals.reduce((n, t) => n + t.outbox.pending().length, 0);

console.log(`soak: ${count} terminals, a press every ${pressEveryMs} ms, relay killed every ${restartEveryS} s, for ${minutes} min (logs in ${dir})`);
console.log(' time  relay_rss_mb  online  presses  pending');
const press = setInterval(() => {
  const t = terminals[Math.floor(Math.random() * count)]!;
  const requestId = randomUUID();
  t.outbox.add(requestId, Date.now()); // written before it is sent, as the kiosk does
  sent.push(requestId);
  void t.courier.flush();
}, pressEveryMs);
const report = setInterval(() => console.log(`${elapsed()}  ${rssMb().padStart(12)}  ${String(online()).padStart(6)}  ${String(sent.length).padStart(7)}  ${String(pending()).padStart(7)}`), 10_000);
let restarts = 0;
const restartTimer = setInterval(() => {
  const hard = restarts++ % 2 === 0;
  const old = relay;
  void (async () => {
    if (hard) {
      await new Promise<void>((r) => {
        old.child.once('exit', () => r());
        old.child.kill('SIGKILL');
      });
    } else await old.stop('SIGTERM');
    relay = await startRelay({ logDir: dir, dbPath, port, env: { HELPPOINT_WORKERS: '1', HELPPOINT_LOG_LEVEL: 'warn', ...UNCAPPED_LOOPBACK } });
    console.log(`${elapsed()}  relay ${hard ? 'SIGKILLed' : 'stopped'} and restarted`);
  })();
}, restartEveryS * 1000);

await new Promise((r) => setTimeout(r, minutes * 60_000));
clearInterval(press);
clearInterval(restartTimer);
// Drain: every outbox empties once the relay is up.
const drainUntil = Date.now() + 60_000;
while (pending() > 0 && Date.now() < drainUntil) {
  await Promise.all(terminals.map((t) => t.courier.flush()));
  await new Promise((r) => setTimeout(r, 500));
}
clearInterval(report);
for (const t of terminals) {
  t.courier.close();
  t.signal.close();
}
await new Promise((r) => setTimeout(r, 1000));
await relay.stop();

const db = new BetterSqlite3(dbPath, { readonly: true });
const rows = db.prepare<[], { request_id: string }>("SELECT request_id FROM calls WHERE terminal_id LIKE 'XC-LT-%'").all();
db.close();
const received = new Set(rows.map((r) => r.request_id));
const sentSet = new Set(sent);
const lost = sent.filter((id) => !received.has(id)).length;
const strangers = [...received].filter((id) => !sentSet.has(id)).length;
const duplicated = rows.length - received.size;
for (const t of terminals) t.outbox.close();
console.log(`\npresses sent ${sent.length} · calls received ${received.size} · lost ${lost} · duplicated ${duplicated} · unknown ${strangers} · relay restarts ${restarts}`);
fs.rmSync(dir, { recursive: true, force: true });
process.exit(lost === 0 && duplicated === 0 && strangers === 0 ? 0 : 1);
