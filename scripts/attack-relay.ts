/**
 * The station network as an attacker sees it (issue 16): starts a demo relay
 * on 127.0.0.1 (HELPPOINT_PORT, default 8190), runs each attack class against
 * it, and prints per attack whether the relay refused it, with the relay's
 * press→ring (a probe terminal presses every 400 ms, an officer's console
 * times the ring) while the attack runs. Bounded in count and time; talks to
 * 127.0.0.0/8 only.
 *   node scripts/attack-relay.ts [--port 8190] [--only name,name]
 */
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import WebSocket from 'ws';
import { DeviceKey } from '../kiosk/src/enrol/deviceKey.ts';
import { startRelay, signIn, createEnrolmentCode } from './lib/launch.ts';

const args = process.argv.slice(2);
const argOf = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
};
const port = Number(argOf('port') ?? process.env['HELPPOINT_PORT'] ?? 8190);
const only = argOf('only')?.split(',');
const TOKEN = 'attack-suite-scrape-token';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-attack-'));
const relay = await startRelay({
  logDir: dir,
  dbPath: path.join(dir, 'relay.db'),
  port,
  timeoutMs: 120_000,
  env: { HELPPOINT_WORKERS: '1', HELPPOINT_METRICS_TOKEN: TOKEN, HELPPOINT_RTC_BASE_PORT: process.env['HELPPOINT_RTC_BASE_PORT'] ?? '0', HELPPOINT_LOG_LEVEL: 'info' },
});
process.on('uncaughtException', (err) => {
  console.error(err);
  void relay.stop().then(() => process.exit(2));
});
const base = `http://127.0.0.1:${port}`;
const wsBase = base.replace('http', 'ws');
if (!/^http:\/\/127\./.test(base)) throw new Error('attack-relay talks to 127.0.0.0/8 only');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// --- small clients ---------------------------------------------------------
function req(o: { method?: string; path: string; from?: string; headers?: Record<string, string>; body?: string | Buffer; type?: string }): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve) => {
    const r = http.request(
      { host: '127.0.0.1', port, method: o.method ?? 'GET', path: o.path, localAddress: o.from ?? '127.0.0.1', headers: { ...(o.body ? { 'content-type': o.type ?? 'application/json' } : {}), ...o.headers }, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('latin1');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    r.on('error', (e) => resolve({ status: 0, headers: {}, body: String(e) }));
    r.setTimeout(15_000, () => r.destroy(new Error('timeout')));
    r.end(o.body);
  });
}
const code = (r: { body: string }) => {
  try {
    return (JSON.parse(r.body) as { error?: { code: string } }).error?.code ?? 'ok';
  } catch {
    return 'unreadable';
  }
};
const login = (u: string, p: string, from = '127.0.0.1', cookie?: string) => req({ method: 'POST', path: '/api/login', from, body: JSON.stringify({ username: u, password: p }), ...(cookie ? { headers: { cookie } } : {}) });

class Peer {
  readonly ws: WebSocket;
  readonly frames: Record<string, unknown>[] = [];
  #id = 1000;
  #waits = new Map<number, (f: Record<string, unknown>) => void>();
  onFrame: ((f: Record<string, unknown>) => void) | null = null;
  closed: number | null = null;
  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (raw) => {
      const f = JSON.parse(raw.toString()) as Record<string, unknown>;
      this.frames.push(f);
      if (this.frames.length > 5000) this.frames.splice(0, 2500);
      if ('ok' in f) this.#waits.get(f['id'] as number)?.(f);
      this.onFrame?.(f);
    });
    ws.on('close', (c) => (this.closed = c));
  }
  static open(path: string, headers: Record<string, string> = {}): Promise<Peer> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${wsBase}${path}`, { headers });
      const p = new Peer(ws);
      ws.once('open', () => resolve(p));
      ws.once('error', reject);
    });
  }
  request(type: string, data: unknown, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const id = ++this.#id;
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve({ ok: false, error: { code: 'client_timeout' } }), timeoutMs);
      this.#waits.set(id, (f) => {
        clearTimeout(t);
        this.#waits.delete(id);
        resolve(f);
      });
      this.ws.send(JSON.stringify({ id, type, data }));
    });
  }
  close() {
    this.ws.close();
  }
}
const errOf = (f: Record<string, unknown>) => (f['ok'] ? 'ok' : ((f['error'] as { code?: string })?.code ?? '?'));

const tech = await signIn(base, 'tech', 'demo-tech');
const keys = new Map<string, DeviceKey>();
async function enrol(id: string): Promise<void> {
  const key = DeviceKey.generate();
  const c = await createEnrolmentCode(base, tech, id);
  const r = await req({ method: 'POST', path: '/api/enrol', body: JSON.stringify({ code: c, publicKey: key.publicKey }) });
  if (r.status !== 200) throw new Error(`enrol ${id}: ${r.body}`);
  keys.set(id, key);
}
async function terminal(id: string): Promise<Peer> {
  const p = await Peer.open('/ws/terminal');
  for (let i = 0; i < 50 && !p.frames.some((f) => f['type'] === 'auth.challenge'); i++) await sleep(20);
  const nonce = (p.frames.find((f) => f['type'] === 'auth.challenge')!['data'] as { nonce: string }).nonce;
  const r = await p.request('hello', { terminalId: id, version: 'attack', nonce, signature: keys.get(id)!.signHello(id, nonce) });
  if (!r['ok']) throw new Error(`hello ${id}: ${JSON.stringify(r)}`);
  // Heartbeats as a kiosk sends them, or the relay drops the terminal after three missed ones.
  let seq = 0;
  const beat = setInterval(() => p.ws.readyState === p.ws.OPEN && void p.request('heartbeat', { seq: seq++, uptimeS: seq }), 5000);
  p.ws.on('close', () => clearInterval(beat));
  return p;
}
for (const id of ['XC-HT-003', 'XC-HT-006', 'XC-KG-005', 'XC-SCH-001']) await enrol(id);

// --- the probe: press → ring, all the time --------------------------------
const officer1 = await signIn(base, 'officer1', 'demo-officer1');
const officer2 = await signIn(base, 'officer2', 'demo-officer2');
const admin = await signIn(base, 'admin', 'demo-admin');
const desk = await Peer.open('/ws/console', { cookie: officer1 });
await desk.request('hello', {});
const probe = await terminal('XC-SCH-001');
let probing = false;
let samples: number[] = [];
let probeSeq = 0;
/** When each probe call was first seen ringing on the officer's console. */
const rangAt = new Map<string, number>();
desk.onFrame = (f) => {
  if (f['type'] !== 'call.updated') return;
  const call = (f['data'] as { call: { id: string; state: string; terminal: { id: string } } }).call;
  if (call.terminal.id === 'XC-SCH-001' && call.state === 'ringing' && !rangAt.has(call.id)) rangAt.set(call.id, Date.now());
};
async function probeLoop(): Promise<void> {
  while (probing) {
    const requestId = `attack-probe-${Date.now()}-${++probeSeq}`.slice(0, 64);
    const t0 = Date.now();
    const r = await probe.request('help.request', { requestId });
    if (r['ok']) {
      const { callId, created } = r['data'] as { callId: string; created: boolean };
      for (let i = 0; i < 250 && !rangAt.has(callId); i++) await sleep(20);
      if (created) samples.push((rangAt.get(callId) ?? Date.now()) - t0);
      await probe.request('help.cancel', { callId });
    }
    // A real terminal presses far less often; this stays inside its own help.request budget.
    await sleep(1100);
  }
}
const pct = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]! : NaN);

// --- attacks -----------------------------------------------------------------
interface Outcome {
  refused: boolean;
  detail: string;
}
const attacks: { name: string; what: string; run: () => Promise<Outcome> }[] = [
  {
    name: 'login-race',
    what: '60 parallel wrong passwords for one account from one address',
    run: async () => {
      const rs = await Promise.all(Array.from({ length: 60 }, (_, i) => login('supervisor', `guess-${i}`, '127.0.1.1')));
      const checked = rs.filter((r) => code(r) === 'invalid_credentials').length;
      const withRetry = rs.filter((r) => r.status === 429 && r.headers['retry-after']).length;
      return { refused: checked <= 5 && withRetry === 60 - checked, detail: `${checked} reached the password check, ${withRetry} got 429 with Retry-After` };
    },
  },
  {
    name: 'lock-out-officer',
    what: 'wrong passwords for officer2 from 20 addresses, then officer2 signs in at the desk',
    run: async () => {
      const deskLogin = await login('officer2', 'demo-officer2', '127.0.1.50');
      const device = (deskLogin.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]!).filter((c) => c.startsWith('hp_dev_')).join('; ');
      for (let i = 0; i < 20; i++) await login('officer2', 'wrong-password-x', `127.0.1.${100 + i}`);
      const attacker = await login('officer2', 'demo-officer2', '127.0.1.200');
      const officer = await login('officer2', 'demo-officer2', '127.0.1.50', device);
      return { refused: officer.status === 200 && attacker.status === 429, detail: `desk with its device cookie: HTTP ${officer.status}; new browser: HTTP ${attacker.status} (retry-after ${attacker.headers['retry-after'] ?? '-'} s)` };
    },
  },
  {
    name: 'weak-password',
    what: 'admin sets aaaaaaaaaa, 1234567890, password123 as passwords',
    run: async () => {
      const cs = [];
      for (const pw of ['aaaaaaaaaa', '1234567890', 'password123']) cs.push(code(await req({ method: 'POST', path: '/api/users', headers: { cookie: admin }, body: JSON.stringify({ username: 'weakling', displayName: 'x', role: 'officer', password: pw }) })));
      return { refused: cs.every((c) => c === 'weak_password'), detail: cs.join(', ') };
    },
  },
  {
    name: 'slowloris',
    what: '300 sockets from one address sending headers that never end',
    run: async () => {
      const socks: net.Socket[] = [];
      for (let i = 0; i < 300; i++) {
        const s = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.2.1' });
        s.on('error', () => undefined);
        s.on('connect', () => s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n'));
        s.resume(); // read, so a close from the relay is noticed
        socks.push(s);
      }
      await sleep(2000);
      const held = socks.filter((s) => !s.destroyed).length;
      const hz = await req({ path: '/healthz', from: '127.0.2.2' });
      await sleep(11_000);
      const after = socks.filter((s) => !s.destroyed).length;
      for (const s of socks) s.destroy();
      return { refused: held <= 64 && after === 0 && hz.status === 200, detail: `${held} held after 2 s (cap 64), ${after} after 13 s (headers timeout 10 s); /healthz meanwhile: HTTP ${hz.status}` };
    },
  },
  {
    name: 'dribbled-body',
    what: '40 requests announcing 60 kB bodies (under the body limit), dribbling a byte every 500 ms',
    run: async () => {
      const t0 = Date.now();
      const ends = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          new Promise<{ closed: boolean; s408: boolean }>((resolve) => {
            const s = net.connect({ host: '127.0.0.1', port, localAddress: `127.0.3.${1 + (i % 4)}` });
            let data = '';
            s.on('error', () => undefined);
            s.on('data', (d) => (data += d.toString()));
            s.on('connect', () => s.write('POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n{'));
            const drip = setInterval(() => s.writable && s.write(' '), 500);
            const give = setTimeout(() => s.destroy(), 45_000);
            s.on('close', () => {
              clearInterval(drip);
              clearTimeout(give);
              resolve({ closed: Date.now() - t0 < 44_000, s408: data.includes(' 408 ') });
            });
          }),
        ),
      );
      const cut = ends.filter((e) => e.closed).length;
      return { refused: cut === 40, detail: `${cut}/40 cut off within ${Math.round((Date.now() - t0) / 1000)} s (request timeout 30 s), ${ends.filter((e) => e.s408).length} answered 408` };
    },
  },
  {
    name: 'cross-site-websocket',
    what: 'a page on another origin opens the console socket with the officer\'s cookie; a page opens the terminal socket',
    run: async () => {
      const tries = [
        Peer.open('/ws/console', { cookie: officer1, origin: 'http://evil.example' }),
        Peer.open('/ws/terminal', { origin: base }),
      ];
      const rs = await Promise.all(tries.map((p) => p.then((x) => (x.close(), 'opened'), (e: unknown) => String(e))));
      return { refused: rs.every((r) => r.includes('403')), detail: rs.map((r) => r.replace(/^Error: /, '')).join('; ') };
    },
  },
  {
    name: 'framing-and-sniffing',
    what: 'the console in a frame, headers checked, the source map fetched',
    run: async () => {
      const index = await req({ path: '/' });
      const csp = String(index.headers['content-security-policy'] ?? '');
      const script = /src="\.?\/?(assets\/[^"]+\.js)"/.exec(index.body)?.[1];
      const map = script ? await req({ path: `/${script}.map` }) : { status: 404 };
      const ok = csp.includes("frame-ancestors 'none'") && index.headers['x-content-type-options'] === 'nosniff' && map.status === 404;
      return { refused: ok, detail: `CSP: ${csp.slice(0, 60)}…; nosniff: ${index.headers['x-content-type-options'] ?? 'none'}; ${script ?? '(no bundle)'}.map: HTTP ${map.status}` };
    },
  },
  {
    name: 'media-not-your-call',
    what: 'officer2 opens a transport for, and consumes from, a call officer1 answered',
    run: async () => {
      const t = await terminal('XC-HT-003');
      const r = await t.request('help.request', { requestId: `attack-media-${Date.now()}` });
      const callId = (r['data'] as { callId: string }).callId;
      const d1 = await Peer.open('/ws/console', { cookie: officer1 });
      await d1.request('hello', {});
      await d1.request('call.answer', { callId });
      const d2 = await Peer.open('/ws/console', { cookie: officer2 });
      const caps = ((await d2.request('hello', {}))['data'] as { routerRtpCapabilities: unknown }).routerRtpCapabilities;
      const tr = errOf(await d2.request('rtc.createTransport', { direction: 'recv', callId }));
      const history = JSON.parse((await req({ path: `/api/calls/${callId}`, headers: { cookie: officer2 } })).body) as { call: { id: string } };
      const consume = errOf(await d2.request('rtc.consume', { transportId: 'x'.repeat(36), producerId: '00000000-0000-4000-8000-000000000000', rtpCapabilities: caps }));
      await d1.request('call.hangup', { callId });
      for (const p of [t, d1, d2]) p.close();
      return { refused: tr === 'not_your_call', detail: `createTransport: ${tr}; consume: ${consume}; history readable: ${history.call?.id === callId}` };
    },
  },
  {
    name: 'evidence-range',
    what: 'another officer fetches evidence with Range forms that used to skip the audit',
    run: async () => {
      const t = await terminal('XC-HT-006');
      const r = await t.request('help.request', { requestId: `attack-evidence-${Date.now()}` });
      const callId = (r['data'] as { callId: string }).callId;
      const d1 = await Peer.open('/ws/console', { cookie: officer1 });
      await d1.request('hello', {});
      await d1.request('call.answer', { callId });
      const jpeg = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=s=64x48', '-frames:v', '1', '-c:v', 'mjpeg', '-f', 'image2', 'pipe:1']);
      const up = JSON.parse((await req({ method: 'POST', path: `/api/calls/${callId}/snapshots`, headers: { cookie: officer1 }, body: jpeg, type: 'image/jpeg' })).body) as { media: { id: number; url: string } };
      await d1.request('call.hangup', { callId });
      const audits = async () => ((JSON.parse((await req({ path: '/api/audit?limit=500', headers: { cookie: admin } })).body) as { entries?: { action: string; actor: string }[] }).entries ?? []).filter((a) => a.action === 'evidence.view' && a.actor === 'user:officer2').length;
      const before = await audits();
      for (const range of ['bytes=1-', 'bytes=0-1,2-', 'bytes=-100000']) await req({ path: up.media.url, headers: { cookie: officer2, range } });
      const after = await audits();
      for (const p of [t, d1]) p.close();
      return { refused: after - before === 1, detail: `${after - before} evidence.view row(s) for one viewing in 3 Range forms` };
    },
  },
  {
    name: 'snapshot-junk',
    what: 'snapshots of junk behind a JPEG magic number, on another officer\'s call',
    run: async () => {
      const calls = JSON.parse((await req({ path: '/api/calls?limit=5', headers: { cookie: officer1 } })).body) as { calls: { id: string; answeredBy: number | null }[] };
      const callId = calls.calls.find((c) => c.answeredBy !== null)?.id ?? 'none';
      const junk = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.from('<script>alert(1)</script>'.repeat(20))]);
      const a = code(await req({ method: 'POST', path: `/api/calls/${callId}/snapshots`, headers: { cookie: officer1 }, body: junk, type: 'image/jpeg' }));
      const b = await req({ method: 'POST', path: `/api/calls/${callId}/snapshots`, headers: { cookie: officer2 }, body: junk, type: 'image/jpeg' });
      return { refused: a === 'bad_image' && b.status === 403, detail: `junk: ${a}; on officer1's call as officer2: HTTP ${b.status} ${code(b)}` };
    },
  },
  {
    name: 'heartbeat-flood',
    what: 'one terminal sends 6000 heartbeats and self-tests as fast as it can',
    run: async () => {
      const t = await terminal('XC-KG-005');
      const fleetBefore = desk.frames.filter((f) => f['type'] === 'fleet.updated').length;
      const report = { startedAt: Date.now() - 1000, finishedAt: Date.now(), trigger: 'doctor', passed: true, lines: [{ check: 'button', status: 'pass', detail: 'ok', ms: 1 }] };
      let limited = 0;
      let answered = 0;
      t.ws.on('message', (raw) => {
        const f = JSON.parse(raw.toString()) as { ok?: boolean; error?: { code: string } };
        if ('ok' in f) answered++;
        if (f.error?.code === 'rate_limited') limited++;
      });
      for (let i = 0; i < 6000; i++) {
        t.ws.send(JSON.stringify({ id: 50_000 + i, type: i % 4 === 0 ? 'selftest.report' : 'heartbeat', data: i % 4 === 0 ? { report } : { seq: i, uptimeS: 1 } }));
        if (i % 100 === 0) await sleep(100); // ~6 s of flood, so probe presses land during it
      }
      for (let i = 0; i < 200 && answered < 6000; i++) await sleep(50);
      await sleep(1500);
      const pushed = desk.frames.filter((f) => f['type'] === 'fleet.updated').length - fleetBefore;
      t.close();
      return { refused: limited > 5400 && pushed < 30, detail: `${limited}/6000 refused rate_limited, ${pushed} fleet updates pushed to the console` };
    },
  },
  {
    name: 'late-future-flood',
    what: '60 late (outbox) deliveries dated a year ahead',
    run: async () => {
      const t = await terminal('XC-HT-003');
      let stored = 0;
      let limited = 0;
      let lastCall = '';
      const future = Date.now() + 365 * 86_400_000;
      for (let i = 0; i < 60; i++) {
        const r = await t.request('help.request', { requestId: `attack-late-${Date.now()}-${i}`, late: true, pressedAt: future });
        if (r['ok']) {
          stored++;
          lastCall = (r['data'] as { callId: string }).callId;
        } else if (errOf(r) === 'rate_limited') limited++;
      }
      const detail = JSON.parse((await req({ path: `/api/calls/${lastCall}`, headers: { cookie: officer1 } })).body) as { events?: { type: string; at: number }[] };
      const far = (detail.events ?? []).filter((e) => e.type === 'pressed' && e.at > Date.now() + 86_400_000).length;
      t.close();
      return { refused: stored <= 20 && far === 0, detail: `${stored} stored (cap 20/h), ${limited} refused rate_limited, ${far} stored with a future time` };
    },
  },
  {
    name: 'forged-hello-audit-flood',
    what: '150 terminal connections with forged hellos (each used to write an audit row)',
    run: async () => {
      const count = async () => ((JSON.parse((await req({ path: '/api/audit?limit=500', headers: { cookie: admin } })).body) as { entries?: { action: string }[] }).entries ?? []).filter((a) => a.action === 'terminal.hello').length;
      const before = await count();
      for (let i = 0; i < 150; i++) {
        const p = await Peer.open('/ws/terminal').catch(() => null);
        if (!p) continue;
        await p.request('hello', { terminalId: 'XC-HT-003', version: 'x', nonce: 'A'.repeat(43), signature: 'B'.repeat(86) }, 2000);
        p.close();
      }
      const written = (await count()) - before;
      return { refused: written <= 25, detail: `${written} audit rows for 150 forged hellos` };
    },
  },
  {
    name: 'anonymous-metrics',
    what: '/metrics and /healthz without the scrape token',
    run: async () => {
      const m = await req({ path: '/metrics' });
      const h = JSON.parse((await req({ path: '/healthz' })).body) as Record<string, unknown>;
      return { refused: m.status === 403 && !('consoles' in h), detail: `/metrics: HTTP ${m.status}; /healthz keys: ${Object.keys(h).join(',')}` };
    },
  },
];

const results: { name: string; refused: boolean; detail: string; p50: number; max: number }[] = [];
probing = true;
const loop = probeLoop();
await sleep(1500);
const baseline = [...samples];
for (const a of attacks) {
  if (only && !only.includes(a.name)) continue;
  samples = [];
  let outcome: Outcome;
  try {
    outcome = await a.run();
  } catch (error) {
    outcome = { refused: false, detail: `attack failed to run: ${String(error)}` };
  }
  await sleep(500);
  results.push({ name: a.name, ...outcome, p50: pct(samples, 50), max: samples.length ? Math.max(...samples) : NaN });
  const r = results.at(-1)!;
  console.log(`${r.refused ? 'REFUSED' : 'NOT REFUSED'}  ${a.name.padEnd(26)} press→ring p50 ${Number.isNaN(r.p50) ? "–" : r.p50} ms, max ${Number.isNaN(r.max) ? "–" : r.max} ms  — ${a.what}: ${r.detail}`);
}
probing = false;
await loop;
desk.close();
probe.close();
const alive = (await req({ path: '/healthz' })).status === 200;
await relay.stop();
const refused = results.filter((r) => r.refused).length;
console.log(`baseline press→ring p50 ${pct(baseline, 50)} ms; relay alive at the end: ${alive}; log: ${relay.logFile}`);
console.log(`result: attacks=${results.length} refused=${refused} not_refused=${results.length - refused} ring_p50_ms=${pct(results.map((r) => r.p50).filter((x) => !Number.isNaN(x)), 50)} ring_max_ms=${Math.max(0, ...results.map((r) => r.max).filter((x) => !Number.isNaN(x)))} relay_alive=${alive}`);
process.exit(refused === results.length && alive ? 0 : 1);
