import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelay, startSimTerminal, type Launched } from '../../scripts/lib/launch.ts';
import { UNCAPPED_LOOPBACK } from '../../scripts/lib/bench/relayProcess.ts';
import { eventually, kioskStatus, pressButton } from '../support/kioskStatus.ts';
import { RawPeer } from '../support/relayHarness.ts';
import { freePort, listCalls, signIn } from '../support/station.ts';
import { seedLightTerminals, startLightTerminals } from '../support/lightTerminals.ts';
import type { DeviceKey } from '../../kiosk/src/enrol/deviceKey.ts';

/**
 * The relay process is killed with SIGKILL (no shutdown code runs) and
 * started again on the same port and database: terminals come back by
 * themselves, a call cut by the kill is ended with a reason, and a resident
 * who still needs help rings again.
 */
const STORM = 300;
let lightKeys: DeviceKey[] = [];
let dir: string;
let port: number;
let dbPath: string;
let relay: Launched | undefined;
const kiosks: Launched[] = [];

const relayUrl = () => `http://127.0.0.1:${port}`;
const health = async () => (await (await fetch(`${relayUrl()}/healthz`)).json()) as { terminalsOnline: number; openCalls: number };
const restart = async () => {
  relay = await startRelay({ logDir: dir, dbPath, port, name: 'relay', env: { HELPPOINT_WORKERS: '1', ...UNCAPPED_LOOPBACK } });
};
async function killRelay(): Promise<void> {
  const r = relay!;
  await new Promise<void>((resolve) => {
    r.child.once('exit', () => resolve());
    r.child.kill('SIGKILL');
  });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-restart-'));
  port = await freePort();
  dbPath = path.join(dir, 'relay.db');
  lightKeys = await seedLightTerminals(dbPath, STORM);
  await restart();
  for (const id of ['XC-SCH-001', 'XC-HT-003']) {
    kiosks.push(await startSimTerminal({ relayUrl: relayUrl(), terminalId: id, logDir: dir, env: { HELPPOINT_RECONNECT_MAX_MS: '2000' } }));
  }
  await eventually(async () => (await health()).terminalsOnline === 2, 15_000, 'both terminals online');
}, 60_000);

afterAll(async () => {
  for (const k of kiosks) await k.stop();
  await relay?.stop();
  if (!process.env['HELPPOINT_KEEP_LOGS']) fs.rmSync(dir, { recursive: true, force: true });
});

describe('relay killed and restarted', () => {
  it('while idle: every terminal reconnects by itself within seconds', async () => {
    await killRelay();
    await eventually(async () => !(await kioskStatus(kiosks[0]!.ready['statusUrl']!)).relay.connected, 5000, 'terminal noticed');
    const t0 = Date.now();
    await restart();
    await eventually(async () => (await health()).terminalsOnline === 2, 15_000, 'station whole again');
    for (const k of kiosks) expect((await kioskStatus(k.ready['statusUrl']!)).relay.connected).toBe(true);
    console.log(`station whole again ${Date.now() - t0} ms after the relay was started again`);
  });

  it('during a call: the call is ended as relay_restart, and the resident rings again under a new request', async () => {
    const statusUrl = kiosks[1]!.ready['statusUrl']!;
    const cookie = await signIn(relayUrl());
    const officer = await RawPeer.open(`${relayUrl().replace('http', 'ws')}/ws/console`, { cookie });
    await officer.request(1, 'hello', {});
    await pressButton(statusUrl);
    await eventually(async () => (await kioskStatus(statusUrl)).call.state === 'ringing', 10_000, 'ringing');
    const [first] = await listCalls(relayUrl(), cookie, 'XC-HT-003');
    expect((await officer.request(2, 'call.answer', { callId: first!.id }))['ok']).toBe(true);
    await eventually(async () => (await kioskStatus(statusUrl)).call.state === 'connected', 10_000, 'connected');

    await killRelay();
    await eventually(async () => (await kioskStatus(statusUrl)).call.lastPrompt === 'network_problem', 5000, 'resident told');
    expect((await kioskStatus(statusUrl)).call.state).toBe('offline');
    await restart();
    await eventually(async () => (await kioskStatus(statusUrl)).call.state === 'ringing', 20_000, 'ringing again');

    const cookie2 = await signIn(relayUrl());
    const calls = await listCalls(relayUrl(), cookie2, 'XC-HT-003');
    expect(calls).toHaveLength(2);
    const old = calls.find((c) => c.id === first!.id)!;
    expect(old).toMatchObject({ state: 'ended', endReason: 'relay_restart' });
    const again = calls.find((c) => c.id !== first!.id)!;
    expect(again.state).toBe('ringing');
    expect(again.requestId).not.toBe(first!.requestId);
    expect((await health()).openCalls).toBe(1);
    // The resident is heard; clean up so the next test starts idle.
    await pressButton(statusUrl, 'long-press');
    await eventually(async () => (await kioskStatus(statusUrl)).call.state === 'idle', 10_000, 'idle');
  });

  it(`a reconnect storm of ${STORM} terminals after SIGKILL does not knock it over`, async () => {
    const clients = startLightTerminals({ wsUrl: `${relayUrl().replace('http', 'ws')}/ws/terminal`, keys: lightKeys, reconnectMaxMs: 5000 });
    try {
      await eventually(async () => (await health()).terminalsOnline === STORM + 2, 30_000, `${STORM} light terminals online`);
      await killRelay();
      await eventually(async () => clients.every((c) => !c.ready), 10_000, 'all noticed');
      const t0 = Date.now();
      await restart();
      await eventually(async () => (await health()).terminalsOnline === STORM + 2, 45_000, 'all back');
      console.log(`${STORM + 2} terminals back ${Date.now() - t0} ms after restart`);
      expect(clients.every((c) => c.ready)).toBe(true);
      // still serving people, not just sockets
      const cookie = await signIn(relayUrl());
      expect(Array.isArray(await listCalls(relayUrl(), cookie))).toBe(true);
    } finally {
      for (const c of clients) c.close();
    }
  }, 120_000);
});
