import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Relay } from '../../relay/src/app.ts';
import { defaultConfig } from '../../relay/src/config.ts';
import { RawPeer } from '../support/relayHarness.ts';
import { enrolTerminals, signedHello } from '../support/terminalKeys.ts';
import { signIn } from '../support/station.ts';
import type { DeviceKey } from '../../kiosk/src/enrol/deviceKey.ts';

// A short heartbeat so that a silence timer left running would fire (and log) within the test.
const HEARTBEAT_MS = 200;
const SILENCE_MS = HEARTBEAT_MS * 3;

let relay: Relay;
let dir: string;
let wsBase: string;
let keys: Map<string, DeviceKey>;
/** Every log line of the relay, parsed. */
const logs: Record<string, unknown>[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-connclose-'));
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  relay = await Relay.create(
    { ...defaultConfig(), port: 0, dbPath: path.join(dir, 'relay.db'), rtcBasePort: 0, numWorkers: 1, demo: true, heartbeatIntervalMs: HEARTBEAT_MS },
    pino({ level: 'debug' }, sink),
  );
  wsBase = (await relay.listen('127.0.0.1', 0)).replace('http', 'ws');
  keys = enrolTerminals(relay, ['XC-SCH-001']);
});
afterAll(async () => {
  await relay?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const linesOf = (connId: string) => logs.filter((l) => l['conn'] === connId);
/** The peer sees the close frame a moment before the relay's socket reports closed: wait for the latter. */
async function until(ok: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(20);
  }
}

describe('a connection closed twice is closed once and leaves nothing running', () => {
  it('terminal: one close frame, one offline, its call ended once, gone from the registry, no heartbeat timer left', async () => {
    const gateway = relay.gateways.terminal;
    const peer = await RawPeer.open(`${wsBase}/ws/terminal`);
    expect((await signedHello(peer, 1, 'XC-SCH-001', keys.get('XC-SCH-001')!))['ok']).toBe(true);
    const help = await peer.request(2, 'help.request', { requestId: 'close-twice-01' });
    const callId = (help['data'] as { callId: string }).callId;
    expect(relay.calls.lifecycleOf(callId)).toBe('ringing');

    const [conn] = gateway.connectionsOf('XC-SCH-001');
    expect(conn).toBeDefined();
    expect(gateway.size).toBe(1);
    let closedEvents = 0;
    conn!.on('closed', () => closedEvents++);
    let offline = 0;
    relay.presence.on('offline', (id) => id === 'XC-SCH-001' && offline++);

    conn!.close(4001, 'first');
    conn!.close(4010, 'second');
    const closed = await peer.waitClosed();
    expect(closed).toEqual({ code: 4001, reason: 'first' });
    await until(() => !conn!.isOpen);
    conn!.close(4010, 'after the end');

    expect(closedEvents).toBe(1);
    expect(conn!.isOpen).toBe(false);
    expect(gateway.size).toBe(0);
    expect(gateway.connectionsOf('XC-SCH-001')).toEqual([]);
    expect(relay.presence.isOnline('XC-SCH-001')).toBe(false);
    expect(offline).toBe(1);
    // The resident's call ended because the terminal went, once.
    expect(relay.repos.calls.get(callId)).toMatchObject({ state: 'ended', endReason: 'terminal_lost' });
    expect(relay.repos.calls.events(callId).filter((e) => e.type === 'ended')).toHaveLength(1);

    // Past two silence windows: a heartbeat timer left behind would now drop the terminal again and say so.
    await sleep(SILENCE_MS * 2 + 200);
    expect(linesOf(conn!.id).filter((l) => l['msg'] === 'heartbeats missed: dropping terminal')).toEqual([]);
    expect(linesOf(conn!.id).filter((l) => l['msg'] === 'terminal offline')).toHaveLength(1);
    expect(offline).toBe(1);
    expect(closedEvents).toBe(1);
  });

  it('terminal: a silent terminal is still dropped by its heartbeat timer (the timer the close clears is real)', async () => {
    const peer = await RawPeer.open(`${wsBase}/ws/terminal`);
    expect((await signedHello(peer, 1, 'XC-SCH-001', keys.get('XC-SCH-001')!))['ok']).toBe(true);
    const [conn] = relay.gateways.terminal.connectionsOf('XC-SCH-001');
    const closed = await peer.waitClosed(SILENCE_MS * 10);
    expect(closed.code).toBe(4010);
    await until(() => !conn!.isOpen);
    expect(linesOf(conn!.id).filter((l) => l['msg'] === 'heartbeats missed: dropping terminal')).toHaveLength(1);
    expect(relay.gateways.terminal.size).toBe(0);
  });

  it('console: one close frame, call listener removed, gone from every registry', async () => {
    const gateway = relay.gateways.console;
    const listenersBefore = relay.calls.listenerCount('callClosed');
    const peer = await RawPeer.open(`${wsBase}/ws/console`, { cookie: await signIn(relay.url) });
    const hello = await peer.request(1, 'hello', {});
    expect(hello['ok']).toBe(true);
    const userId = (hello['data'] as { user: { id: number } }).user.id;
    const [conn] = gateway.connectionsOf(userId);
    expect(conn).toBeDefined();
    expect(gateway.size).toBe(1);
    expect(relay.calls.listenerCount('callClosed')).toBe(listenersBefore + 1);
    let closedEvents = 0;
    conn!.on('closed', () => closedEvents++);

    conn!.close(4003, 'first');
    conn!.close(4003, 'second');
    expect(await peer.waitClosed()).toEqual({ code: 4003, reason: 'first' });
    await until(() => !conn!.isOpen);
    conn!.close();

    expect(closedEvents).toBe(1);
    expect(gateway.size).toBe(0);
    expect(gateway.connectionsOf(userId)).toEqual([]);
    expect(gateway.closeUser(userId, 'test')).toBe(0);
    expect(relay.calls.listenerCount('callClosed')).toBe(listenersBefore);
    expect(linesOf(conn!.id).filter((l) => l['msg'] === 'console disconnected')).toHaveLength(1);
  });
});
