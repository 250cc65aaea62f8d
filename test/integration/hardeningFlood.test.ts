import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceKey } from '../../kiosk/src/enrol/deviceKey.ts';
import { RawPeer, startTestRelay } from '../support/relayHarness.ts';
import { enrolTerminals, signedHello } from '../support/terminalKeys.ts';
import { signIn } from '../support/station.ts';
import { DEFAULT_TERMINAL_LIMITS } from '../../relay/src/security/TerminalMessageLimits.ts';

/**
 * Issue 16: nothing falls over. Slow requests are cut off and logged,
 * sockets per address are capped on HTTP and both WebSocket gateways, and a
 * terminal flooding heartbeats, self-tests or late deliveries with far-off
 * timestamps is refused per message without flooding the consoles, while
 * another terminal's press still rings at once.
 */
let relay: Awaited<ReturnType<typeof startTestRelay>>;
let ws: string;
let keys: Map<string, DeviceKey>;
let officer1: string;
let seq = 100;

beforeAll(async () => {
  relay = await startTestRelay({
    recordCalls: false,
    serverTimeouts: { headersTimeoutMs: 1_000, requestTimeoutMs: 2_000, connectionTimeoutMs: 10_000, keepAliveTimeoutMs: 1_000, checkIntervalMs: 250 },
    connectionCaps: { httpPerAddress: 20, terminalWsPerAddress: 4, consoleWsPerAddress: 3, total: 5000 },
  });
  ws = relay.url.replace('http', 'ws');
  keys = enrolTerminals(relay.relay, ['XC-HT-003', 'XC-HT-006', 'XC-KG-005']);
  officer1 = await signIn(relay.url, 'officer1', 'demo-officer1');
});
afterAll(async () => {
  await relay?.close();
});

function rawSocket(from: string): Promise<net.Socket> {
  const url = new URL(relay.url);
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: url.hostname, port: Number(url.port), localAddress: from }, () => resolve(s));
    s.on('error', reject);
  });
}
const closedWithin = (s: net.Socket, ms: number): Promise<{ closed: boolean; data: string }> =>
  new Promise((resolve) => {
    let data = '';
    s.on('data', (d) => (data += d.toString()));
    const t = setTimeout(() => resolve({ closed: false, data }), ms);
    s.on('close', () => {
      clearTimeout(t);
      resolve({ closed: true, data });
    });
  });
async function terminal(id: string): Promise<RawPeer> {
  const peer = await RawPeer.open(`${ws}/ws/terminal`);
  expect((await signedHello(peer, 1, id, keys.get(id)!))['ok']).toBe(true);
  return peer;
}

describe('slow requests and connection caps', () => {
  it('a dribbled body and a dribbled header are cut off with 408 once their time is up, and counted', async () => {
    const body = await rawSocket('127.0.0.60');
    body.write('POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n{');
    const dribble = setInterval(() => body.writable && body.write(' '), 200);
    const header = await rawSocket('127.0.0.61');
    header.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    const headerDribble = setInterval(() => header.writable && header.write('X-A: b\r\n'), 200);
    const [b, h] = await Promise.all([closedWithin(body, 8_000), closedWithin(header, 8_000)]);
    clearInterval(dribble);
    clearInterval(headerDribble);
    expect(b.closed).toBe(true);
    expect(h.closed).toBe(true);
    expect(b.data).toContain('408');
    expect(h.data).toContain('408');
    expect(relay.relay.security.connections.stats().timedOut).toBeGreaterThanOrEqual(2);
  });

  it('one address cannot hold more than its cap of sockets; another address and /healthz are unaffected', async () => {
    const held: net.Socket[] = [];
    for (let i = 0; i < 40; i++) {
      const s = await rawSocket('127.0.0.70');
      s.on('error', () => undefined);
      s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n'); // never finished
      held.push(s);
    }
    await new Promise((r) => setTimeout(r, 300));
    const open = held.filter((s) => !s.destroyed && s.readyState === 'open').length;
    expect(open).toBeLessThanOrEqual(20);
    const hz = await fetch(`${relay.url}/healthz`);
    expect(hz.status).toBe(200);
    for (const s of held) s.destroy();
  });

  it('caps WebSockets per address on both gateways', async () => {
    const terms: RawPeer[] = [];
    let refusedTerminal = 0;
    for (let i = 0; i < 6; i++) {
      try {
        terms.push(await RawPeer.open(`${ws}/ws/terminal`));
      } catch (e) {
        expect(String(e)).toContain('503');
        refusedTerminal++;
      }
    }
    expect(terms.length).toBe(4);
    expect(refusedTerminal).toBe(2);
    const consoles: RawPeer[] = [];
    let refusedConsole = 0;
    for (let i = 0; i < 5; i++) {
      try {
        consoles.push(await RawPeer.open(`${ws}/ws/console`, { cookie: officer1 }));
      } catch {
        refusedConsole++;
      }
    }
    expect([consoles.length, refusedConsole]).toEqual([3, 2]);
    for (const p of [...terms, ...consoles]) p.close();
    await Promise.all([...terms, ...consoles].map((p) => p.waitClosed()));
  });
});

describe('a terminal flooding the desk', () => {
  it('heartbeat and self-test floods are refused per message, consoles get coalesced fleet updates, another press still rings at once', async () => {
    await new Promise((r) => setTimeout(r, 300)); // sockets of the previous test are gone
    const desk = await RawPeer.open(`${ws}/ws/console`, { cookie: officer1 });
    expect((await desk.request(1, 'hello', {}))['ok']).toBe(true);
    // Its fleet page is open: it is sent fleet.updated, which the flood must not multiply.
    expect((await desk.request(2, 'fleet.watch', { on: true }))['ok']).toBe(true);
    const flooder = await terminal('XC-HT-003');
    const honest = await terminal('XC-HT-006');
    const report = { startedAt: Date.now() - 1000, finishedAt: Date.now(), trigger: 'doctor', passed: true, lines: [{ check: 'button', status: 'pass', detail: 'ok', ms: 1 }] };
    const fleetBefore = desk.frames.filter((f) => f['type'] === 'fleet.updated').length;
    let stop = false;
    let sent = 0;
    const flood = (async () => {
      while (!stop && sent < 4000) {
        for (let i = 0; i < 50; i++) {
          flooder.ws.send(JSON.stringify({ id: 10_000 + sent, type: sent % 5 === 0 ? 'selftest.report' : 'heartbeat', data: sent % 5 === 0 ? { report } : { seq: sent, uptimeS: 1 } }));
          sent++;
        }
        await new Promise((r) => setImmediate(r));
      }
    })();
    await new Promise((r) => setTimeout(r, 500));
    const pressedAt = Date.now();
    const r = await honest.request(++seq, 'help.request', { requestId: 'hardening-flood-0001' });
    expect(r['ok']).toBe(true);
    const callId = (r['data'] as { callId: string }).callId;
    await desk.until(() => desk.frames.find((f) => f['type'] === 'call.updated' && (f['data'] as { call: { id: string } }).call.id === callId), 5000);
    const pressToRingMs = Date.now() - pressedAt;
    stop = true;
    await flood;
    await flooder.until(() => flooder.frames.filter((f) => 'ok' in f).length >= sent - 5, 15_000);
    const replies = flooder.frames.filter((f) => 'ok' in f && (f['id'] as number) >= 10_000);
    const limited = replies.filter((f) => (f['error'] as { code?: string } | undefined)?.code === 'rate_limited').length;
    expect(limited).toBeGreaterThan(sent * 0.9);
    // Leaves lots of room for a loaded machine; unbounded, this was ~750 ms on a quiet one.
    expect(pressToRingMs).toBeLessThan(2_000);
    await new Promise((r) => setTimeout(r, 1_500));
    const fleetUpdates = desk.frames.slice(0).filter((f) => f['type'] === 'fleet.updated').length - fleetBefore;
    expect(fleetUpdates).toBeLessThan(20);
    // The self-test budget's burst is all that got through.
    expect(relay.relay.db.prepare('SELECT count(*) AS n FROM self_tests WHERE terminal_id = ?').get('XC-HT-003')).toEqual({ n: DEFAULT_TERMINAL_LIMITS.budgets['selftest.report']!.burst });
    for (const p of [desk, flooder, honest]) p.close();
  });

  it('late deliveries with far-future press times are stored with the relay\'s time, and capped per hour', async () => {
    const t = await terminal('XC-KG-005');
    const future = Date.now() + 365 * 86_400_000;
    const first = await t.request(++seq, 'help.request', { requestId: 'hardening-late-0000', late: true, pressedAt: future });
    expect(first['ok']).toBe(true);
    const callId = (first['data'] as { callId: string }).callId;
    const pressed = relay.relay.repos.calls.events(callId).find((e) => e.type === 'pressed')!;
    expect(Math.abs(pressed.at - Date.now())).toBeLessThan(60_000);
    let refused = 0;
    for (let i = 1; i < 30; i++) {
      const r = await t.request(++seq, 'help.request', { requestId: `hardening-late-${String(i).padStart(4, '0')}`, late: true, pressedAt: Date.now() - 60_000 });
      if ((r['error'] as { code?: string } | undefined)?.code === 'rate_limited') refused++;
    }
    expect(refused).toBe(10); // 20 per hour are recorded; the rest wait in the kiosk's outbox
    t.close();
  });
});
