// Soak: many simulated terminals press at random while the relay is killed and
// restarted, its mediasoup worker is killed, one terminal floods heartbeats
// and self-tests, and an officer's console answers and hangs up every call
// that rings. Half the presses are live (help.request, as the call machine
// sends it; into the outbox only if the relay is unreachable), half go
// through the kiosk's real outbox + courier (late deliveries). Prints presses
// sent vs. calls received vs. duplicated, and the relay's memory over time.
// Usage: node scripts/soak.ts [--minutes 2] [--terminals 50] [--press-every-ms 500] [--restart-every-s 30]
//        [--worker-kill-every-s 45] [--flood-per-s 200]
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
import { childPids, commandName } from './lib/bench/procStats.ts';
import WebSocket from 'ws';

// Late deliveries are capped per terminal per hour in production; a soak presses far more often than any real terminal.
const RELAY_ENV = { HELPPOINT_WORKERS: '1', HELPPOINT_LOG_LEVEL: 'warn', HELPPOINT_LATE_PER_HOUR: '100000', ...UNCAPPED_LOOPBACK };

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '2' },
    terminals: { type: 'string', default: '50' },
    'press-every-ms': { type: 'string', default: '500' },
    'restart-every-s': { type: 'string', default: '30' },
    'worker-kill-every-s': { type: 'string', default: '45' },
    'flood-per-s': { type: 'string', default: '200' },
  },
});
const workerKillEveryS = Number(values['worker-kill-every-s']);
const floodPerS = Number(values['flood-per-s']);
const minutes = Number(values.minutes);
const count = Number(values.terminals);
const pressEveryMs = Number(values['press-every-ms']);
const restartEveryS = Number(values['restart-every-s']);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-soak-'));
const dbPath = path.join(dir, 'relay.db');
const port = await freePort();
// One more terminal than pressing ones: the last floods heartbeats and self-tests.
const allKeys = await seedLightTerminals(dbPath, count + 1);
const keys = allKeys.slice(0, count);
const logger = pino({ level: 'silent' });
let relay: Launched = await startRelay({ logDir: dir, dbPath, port, env: RELAY_ENV, timeoutMs: 120_000 });

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
let livePresses = 0;
const folded = new Map<string, string>();
const press = setInterval(() => {
  const t = terminals[Math.floor(Math.random() * count)]!;
  const requestId = randomUUID();
  sent.push(requestId);
  const pressedAt = Date.now();
  if (Math.random() < 0.5 && t.signal.ready) {
    livePresses++;
    // Live, as the call machine sends it; unreachable relay → the outbox keeps it, as the kiosk does.
    t.signal.request('help.request', { requestId, pressedAt }).then((r) => {
      // A press while the terminal's call is open is folded into that call (the same plea): it is received, as that call.
      if (!r.created) folded.set(requestId, r.callId);
    }, () => {
      t.outbox.add(requestId, pressedAt);
      void t.courier.flush();
    });
    return;
  }
  t.outbox.add(requestId, pressedAt); // written before it is sent, as the kiosk does
  void t.courier.flush();
}, pressEveryMs);

// An officer's console: answers every call that rings and hangs up a second later (reconnects after restarts).
let answered = 0;
let officerCookie = '';
let deskSocket: WebSocket | null = null;
let deskStopped = false;
const openDesk = async (): Promise<void> => {
  while (!deskStopped) {
    try {
      if (!officerCookie) {
        const res = await fetch(`http://127.0.0.1:${port}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'officer1', password: 'demo-officer1' }) });
        if (res.status === 200) officerCookie = res.headers.get('set-cookie')!.split(';')[0]!;
      }
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws/console`, { headers: { cookie: officerCookie } });
      let id = 1;
      await new Promise<void>((resolve) => {
        ws.on('open', () => ws.send(JSON.stringify({ id: id++, type: 'hello', data: {} })));
        ws.on('message', (raw) => {
          const f = JSON.parse(raw.toString()) as { type?: string; data?: { call?: { id: string; state: string; kind: string } } };
          const call = f.type === 'call.updated' ? f.data?.call : undefined;
          if (call && call.state === 'ringing') {
            ws.send(JSON.stringify({ id: id++, type: 'call.answer', data: { callId: call.id } }));
            answered++;
            setTimeout(() => ws.readyState === ws.OPEN && ws.send(JSON.stringify({ id: id++, type: 'call.hangup', data: { callId: call.id } })), 1000);
          }
        });
        ws.on('close', (code) => {
          if (code === 4003) officerCookie = ''; // the restart did not lose the session, but an expiry would
          resolve();
        });
        ws.on('error', () => undefined);
      });
      deskSocket = ws;
    } catch {
      /* relay restarting */
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
};
void openDesk();

// A terminal flooding heartbeats and self-tests (refused per message by the relay's budgets).
let floodSent = 0;
let floodRefused = 0;
const flooder = new SignalClient({
  url: `ws://127.0.0.1:${port}/ws/terminal`,
  terminalId: lightId(count),
  version: 'soak-flood',
  signHello: (terminalId, nonce) => allKeys[count]!.signHello(terminalId, nonce),
  logger,
  backoff: { baseMs: 500, maxMs: 5000 },
});
flooder.start();
const report0 = { startedAt: 0, finishedAt: 0, trigger: 'doctor' as const, passed: true, lines: [{ check: 'button', status: 'pass' as const, detail: 'ok', ms: 1 }] };
const floodTimer = setInterval(() => {
  if (!flooder.ready) return;
  for (let i = 0; i < floodPerS / 10; i++) {
    floodSent++;
    const now = Date.now();
    const msg = i % 5 === 0 ? flooder.request('selftest.report', { report: { ...report0, startedAt: now - 10, finishedAt: now } }) : flooder.request('heartbeat', { seq: floodSent, uptimeS: 1 });
    msg.catch((e: { code?: string }) => {
      if (e.code === 'rate_limited') floodRefused++;
    });
  }
}, 100);

// The mediasoup worker dies now and then: the relay replaces it; calls on it end as media_failed.
let workerKills = 0;
const workerTimer = setInterval(() => {
  const pid = relay.child.pid;
  if (!pid) return;
  for (const w of childPids(pid).filter((p) => commandName(p).startsWith('mediasoup'))) {
    try {
      process.kill(w, 'SIGKILL');
      workerKills++;
    } catch {
      /* already gone */
    }
  }
}, workerKillEveryS * 1000);
const rssSamples: number[] = [];
const report = setInterval(() => {
  const rss = rssMb();
  if (rss !== '-') rssSamples.push(Number(rss));
  console.log(`${elapsed()}  ${rss.padStart(12)}  ${String(online()).padStart(6)}  ${String(sent.length).padStart(7)}  ${String(pending()).padStart(7)}  answered ${answered}  flood ${floodRefused}/${floodSent} refused  worker kills ${workerKills}`);
}, 10_000);
let restarts = 0;
let restarting = false;
const restartTimer = setInterval(() => {
  // On a loaded machine a start can take longer than the interval: never two at once.
  if (restarting) return;
  restarting = true;
  const hard = restarts++ % 2 === 0;
  const old = relay;
  void (async () => {
    if (hard) {
      await new Promise<void>((r) => {
        old.child.once('exit', () => r());
        old.child.kill('SIGKILL');
      });
    } else await old.stop('SIGTERM');
    relay = await startRelay({ logDir: dir, dbPath, port, env: RELAY_ENV, timeoutMs: 120_000 });
    console.log(`${elapsed()}  relay ${hard ? 'SIGKILLed' : 'stopped'} and restarted`);
  })().finally(() => (restarting = false));
}, restartEveryS * 1000);

await new Promise((r) => setTimeout(r, minutes * 60_000));
clearInterval(press);
clearInterval(restartTimer);
clearInterval(workerTimer);
clearInterval(floodTimer);
flooder.close();
// Drain: every outbox empties once the relay is up.
const drainUntil = Date.now() + 60_000;
while (pending() > 0 && Date.now() < drainUntil) {
  await Promise.all(terminals.map((t) => t.courier.flush()));
  await new Promise((r) => setTimeout(r, 500));
}
clearInterval(report);
deskStopped = true;
(deskSocket as WebSocket | null)?.close();
for (const t of terminals) {
  t.courier.close();
  t.signal.close();
}
await new Promise((r) => setTimeout(r, 1000));
await relay.stop();

const db = new BetterSqlite3(dbPath, { readonly: true });
const rows = db.prepare<[], { request_id: string; id: string }>("SELECT request_id, id FROM calls WHERE terminal_id LIKE 'XC-LT-%'").all();
const callIds = new Set(rows.map((r) => r.id));
db.close();
const received = new Set(rows.map((r) => r.request_id));
const sentSet = new Set(sent);
const lost = sent.filter((id) => !received.has(id) && !callIds.has(folded.get(id) ?? '')).length;
const strangers = [...received].filter((id) => !sentSet.has(id)).length;
const duplicated = rows.length - received.size;
const foldedReceived = [...folded.entries()].filter(([rid, cid]) => !received.has(rid) && callIds.has(cid)).length;
for (const t of terminals) t.outbox.close();
console.log(`\npresses sent ${sent.length} (${livePresses} live) · calls received ${received.size} (+${foldedReceived} presses folded into an open call) · lost ${lost} · duplicated ${duplicated} · unknown ${strangers} · relay restarts ${restarts} · worker kills ${workerKills} · answered ${answered} · flood refused ${floodRefused}/${floodSent}`);
// Memory: the relay restarts, so compare the first and last thirds of the samples (each restart starts low).
const third = Math.max(1, Math.floor(rssSamples.length / 3));
const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const rssEarly = avg(rssSamples.slice(0, third));
const rssLate = avg(rssSamples.slice(-third));
console.log(`relay rss: early ${rssEarly.toFixed(1)} MB, late ${rssLate.toFixed(1)} MB, max ${Math.max(...rssSamples).toFixed(1)} MB over ${rssSamples.length} samples`);
console.log(`result: minutes=${minutes} terminals=${count} sent=${sent.length} received=${received.size + foldedReceived} lost=${lost} duplicated=${duplicated} restarts=${restarts} worker_kills=${workerKills} answered=${answered} flood_sent=${floodSent} flood_refused=${floodRefused} rss_early_mb=${rssEarly.toFixed(1)} rss_late_mb=${rssLate.toFixed(1)}`);
fs.rmSync(dir, { recursive: true, force: true });
process.exit(lost === 0 && duplicated === 0 && strangers === 0 ? 0 : 1);
