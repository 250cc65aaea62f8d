import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { preEnrolSimTerminal, startRelay, startSimTerminal, type Launched } from '../../scripts/lib/launch.ts';
import { eventually, kioskStatus, pressButton } from '../support/kioskStatus.ts';
import { freePort, listCalls, signIn } from '../support/station.ts';

/**
 * The kiosk process crashes or hangs. systemd restarts it (deploy/); here we
 * check what the service itself must do for that to work: tell systemd it is
 * ready, ping the watchdog only while its event loop runs, and keep a press
 * in its outbox across a SIGKILL so the restarted process delivers it.
 */
const TERMINAL = 'XC-KG-005';
let dir: string;
const stop: (() => Promise<void> | void)[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-kcrash-'));
});
afterEach(async () => {
  for (const fn of stop.splice(0).reverse()) await fn();
  if (!process.env['HELPPOINT_KEEP_LOGS']) fs.rmSync(dir, { recursive: true, force: true });
});

const track = (l: Launched) => {
  stop.push(() => l.stop());
  return l;
};

function killHard(l: Launched): Promise<void> {
  return new Promise((resolve) => {
    if (l.child.exitCode !== null || l.child.signalCode !== null) return resolve();
    l.child.once('exit', () => resolve());
    l.child.kill('SIGKILL');
  });
}

describe('kiosk crash', () => {
  it('a press the kiosk had not delivered survives SIGKILL and is delivered once by the restarted process', async () => {
    const port = await freePort();
    const relayUrl = `http://127.0.0.1:${port}`;
    const env = { HELPPOINT_OFFLINE_WAIT_MS: '60000', HELPPOINT_RECONNECT_MAX_MS: '1000' };
    const configFile = await preEnrolSimTerminal({ logDir: dir, dbPath: path.join(dir, 'relay.db'), port, terminalId: TERMINAL });
    const first = track(await startSimTerminal({ relayUrl, terminalId: TERMINAL, logDir: dir, env, configFile }));
    await pressButton(first.ready['statusUrl']!);
    await eventually(async () => (await kioskStatus(first.ready['statusUrl']!)).call.state === 'offline', 5000, 'offline');
    await killHard(first);

    const relay = track(await startRelay({ logDir: dir, dbPath: path.join(dir, 'relay.db'), port }));
    const second = track(await startSimTerminal({ relayUrl, terminalId: TERMINAL, logDir: dir, env, configFile }));
    const cookie = await signIn(relay.ready['url']!);
    const calls = await eventually(async () => {
      const c = await listCalls(relayUrl, cookie, TERMINAL);
      return c.length > 0 && c;
    }, 15_000, 'the press from before the crash');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ state: 'ended', endReason: 'missed' });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await listCalls(relayUrl, cookie, TERMINAL)).toHaveLength(1);
    expect((await kioskStatus(second.ready['statusUrl']!)).call.state).toBe('idle');
  });

  it('tells systemd READY=1 and pings the watchdog only while its event loop runs (a hung kiosk stops pinging)', async () => {
    const sock = path.join(dir, 'notify.sock');
    const received: string[] = [];
    const receiver: ChildProcess = spawn('socat', ['-u', `UNIX-RECV:${sock}`, 'STDOUT'], { stdio: ['ignore', 'pipe', 'ignore'] });
    stop.push(() => void receiver.kill('SIGTERM'));
    receiver.stdout!.on('data', (d: Buffer) => received.push(...d.toString().split('\n').filter(Boolean)));
    await eventually(async () => fs.existsSync(sock), 5000, 'notify socket');

    const port = await freePort();
    const configFile = await preEnrolSimTerminal({ logDir: dir, dbPath: path.join(dir, 'relay.db'), port, terminalId: TERMINAL });
    const kiosk = track(
      await startSimTerminal({
        relayUrl: `http://127.0.0.1:${port}`,
        terminalId: TERMINAL,
        logDir: dir,
        configFile,
        env: { NOTIFY_SOCKET: sock, WATCHDOG_USEC: '400000' },
      }),
    );
    await eventually(async () => received.includes('READY=1') && received.filter((l) => l === 'WATCHDOG=1').length >= 3, 5000, 'ready + pings');

    kiosk.child.kill('SIGSTOP'); // a hang: the process exists but its loop does not run
    await new Promise((r) => setTimeout(r, 300));
    const before = received.length;
    await new Promise((r) => setTimeout(r, 1000));
    expect(received.length).toBe(before);
    kiosk.child.kill('SIGCONT');
    await eventually(async () => received.length > before, 3000, 'pings again after the hang');
  });
});
