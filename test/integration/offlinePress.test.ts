import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { preEnrolSimTerminal, startRelay, startSimTerminal, type Launched } from '../../scripts/lib/launch.ts';
import { AtModemSimulator } from '../../kiosk/src/hw/testing/AtModemSimulator.ts';
import { eventually, kioskStatus, pressButton } from '../support/kioskStatus.ts';
import { freePort, listCalls, signIn } from '../support/station.ts';

/**
 * The relay is unreachable when the resident presses: the terminal says so,
 * texts every duty number through the (pty) modem, keeps the press in its
 * outbox and delivers it exactly once when the relay is back.
 */
const TERMINAL = 'XC-HT-003';
const DUTY = ['+8613800138000', '13900139000'];
let dir: string;
let modem: AtModemSimulator;
let port: number;
let configFile: string;
let kiosk: Launched | undefined;
let relay: Launched | undefined;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-offline-'));
  modem = await AtModemSimulator.start();
  port = await freePort();
  // Enrolled while a relay was up; the terminal then starts with the relay down.
  configFile = await preEnrolSimTerminal({ logDir: dir, dbPath: path.join(dir, 'relay.db'), port, terminalId: TERMINAL });
});
afterEach(async () => {
  await kiosk?.stop();
  await relay?.stop();
  kiosk = relay = undefined;
  await modem.close();
  if (!process.env['HELPPOINT_KEEP_LOGS']) fs.rmSync(dir, { recursive: true, force: true });
});

function startKiosk(offlineWaitMs: number) {
  return startSimTerminal({
    relayUrl: `http://127.0.0.1:${port}`,
    terminalId: TERMINAL,
    logDir: dir,
    configFile,
    env: {
      HELPPOINT_MODEM_PATH: modem.path,
      HELPPOINT_DUTY_NUMBERS: DUTY.join(','),
      HELPPOINT_ADDRESS: '西城区烟袋斜街东口',
      HELPPOINT_OFFLINE_WAIT_MS: String(offlineWaitMs),
      HELPPOINT_RECONNECT_MAX_MS: '1000',
    },
  });
}

async function pressWhileOffline(statusUrl: string): Promise<void> {
  await pressButton(statusUrl);
  const s = await eventually(async () => {
    const st = await kioskStatus(statusUrl);
    return st.call.lastPrompt === 'network_problem' && st;
  }, 5000, '"network problem" prompt');
  expect(s.relay.connected).toBe(false);
  await eventually(async () => modem.sms.length >= DUTY.length, 10_000, 'an SMS to every duty number');
  expect(modem.sms.map((m) => m.to).sort()).toEqual([...DUTY].sort());
  for (const m of modem.sms) expect(m.text).toMatch(/^【一键求助】XC-HT-003 西城区烟袋斜街东口 \d\d-\d\d \d\d:\d\d/);
  // One driver owns the port: the one that polls the modem for the health report sent the messages.
  expect(modem.commands).toContain('AT+CSQ');
  expect(modem.commands.filter((c) => c === 'ATE0')).toHaveLength(1);
}

describe('press while the relay is unreachable', () => {
  it('SMS to every duty number, then a missed call on the console once the relay is back: exactly once each', async () => {
    kiosk = await startKiosk(800);
    const statusUrl = kiosk.ready['statusUrl']!;
    await pressWhileOffline(statusUrl);
    // The resident stopped waiting; the press stays in the outbox.
    await eventually(async () => (await kioskStatus(statusUrl)).call.state === 'idle', 5000, 'back to idle');
    expect(((await kioskStatus(statusUrl)) as unknown as { outbox: { pending: number } }).outbox.pending).toBe(1);

    relay = await startRelay({ logDir: dir, dbPath: path.join(dir, 'relay.db'), port, env: { HELPPOINT_WORKERS: '1' } });
    const base = relay.ready['url']!;
    const cookie = await signIn(base);
    const calls = await eventually(async () => {
      const c = await listCalls(base, cookie, TERMINAL);
      return c.length > 0 && c;
    }, 15_000, 'the late press reaching the relay');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ state: 'ended', endReason: 'missed' });
    // No second call appears on later reconnects or outbox rounds.
    await eventually(async () => ((await kioskStatus(statusUrl)) as unknown as { outbox: { pending: number } }).outbox.pending === 0, 5000, 'outbox emptied');
    await new Promise((r) => setTimeout(r, 1500));
    expect(await listCalls(base, cookie, TERMINAL)).toHaveLength(1);
    expect(modem.sms).toHaveLength(DUTY.length);
  });

  it('the link returns while the resident still waits: the same press rings the console live, once', async () => {
    kiosk = await startKiosk(60_000);
    const statusUrl = kiosk.ready['statusUrl']!;
    await pressWhileOffline(statusUrl);
    expect((await kioskStatus(statusUrl)).call.state).toBe('offline');

    relay = await startRelay({ logDir: dir, dbPath: path.join(dir, 'relay.db'), port, env: { HELPPOINT_WORKERS: '1' } });
    const base = relay.ready['url']!;
    const cookie = await signIn(base);
    await eventually(async () => (await kioskStatus(statusUrl)).call.state === 'ringing', 15_000, 'terminal ringing');
    const calls = await listCalls(base, cookie, TERMINAL);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.state).toBe('ringing');
    expect(modem.sms).toHaveLength(DUTY.length);
  });
});
