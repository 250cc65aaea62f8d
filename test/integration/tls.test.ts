import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceKey } from '../../kiosk/src/enrol/deviceKey.ts';
import { SignalClient } from '../../kiosk/src/net/SignalClient.ts';
import { CLI_ACTOR } from '../../relay/src/trust/Actor.ts';
import { runKioskEnrol } from '../../scripts/lib/launch.ts';
import { startTestRelay } from '../support/relayHarness.ts';
import { eventually } from '../support/kioskStatus.ts';
import { makeTestCa } from '../support/testCa.ts';

/** The relay on HTTPS/WSS with a station's own CA; the kiosk trusts exactly that CA. */
let dir: string;
let ca: ReturnType<typeof makeTestCa>;
let otherCa: ReturnType<typeof makeTestCa>;
let relay: Awaited<ReturnType<typeof startTestRelay>>;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-tls-'));
  ca = makeTestCa(dir, 'station');
  otherCa = makeTestCa(dir, 'other');
  relay = await startTestRelay({ tls: { certFile: ca.certFile, keyFile: ca.keyFile } });
});
afterAll(async () => {
  await relay?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function post(pathName: string, body: unknown, caFile: string): Promise<{ status: number; setCookie: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(pathName, relay.url), { method: 'POST', ca: fs.readFileSync(caFile), headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, setCookie: res.headers['set-cookie']?.[0] }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('TLS', () => {
  it('serves HTTPS; the session cookie is Secure, HttpOnly and SameSite=Strict', async () => {
    expect(relay.url).toMatch(/^https:\/\/127\.0\.0\.1:/);
    const res = await post('/api/login', { username: 'officer1', password: 'demo-officer1' }, ca.caFile);
    expect(res.status).toBe(200);
    expect(res.setCookie).toMatch(/HttpOnly/);
    expect(res.setCookie).toMatch(/SameSite=Strict/);
    expect(res.setCookie).toMatch(/; Secure/);
  });

  it('a client that does not trust the station CA cannot connect', async () => {
    await expect(post('/api/login', {}, otherCa.caFile)).rejects.toThrow(/certificate/i);
  });

  it('the kiosk enrols over HTTPS with the pinned CA (and refuses without it), then its challenge–response runs over WSS', async () => {
    const stateDir = path.join(dir, 'pi');
    const { code } = relay.relay.trust.enrolment.createCode('XC-KG-011', CLI_ACTOR);
    const untrusted = await runKioskEnrol(['--relay', relay.url, '--code', code, '--state-dir', stateDir]);
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toMatch(/certificate/i);
    const ok = await runKioskEnrol(['--relay', relay.url, '--code', code, '--state-dir', stateDir, '--ca', ca.caFile]);
    expect(ok.code, ok.stderr).toBe(0);
    const config = JSON.parse(fs.readFileSync(path.join(stateDir, 'kiosk.json'), 'utf8')) as { relayUrl: string; caFile: string; keyFile: string };
    expect(config.relayUrl).toMatch(/^wss:\/\/127\.0\.0\.1:\d+\/ws\/terminal$/);
    expect(config.caFile).toBe(ca.caFile);

    const key = DeviceKey.load(config.keyFile);
    const logger = pino({ level: 'silent' });
    const client = (caFile: string) =>
      new SignalClient({ url: config.relayUrl, terminalId: 'XC-KG-011', version: 'tls-test', signHello: (t, n) => key.signHello(t, n), ca: fs.readFileSync(caFile), logger, backoff: { baseMs: 50, maxMs: 200 } });
    const wrong = client(otherCa.caFile);
    wrong.start();
    const good = client(config.caFile);
    good.start();
    try {
      await eventually(async () => good.ready, 10_000, 'kiosk connected over wss');
      expect(relay.relay.presence.isOnline('XC-KG-011')).toBe(true);
      expect(wrong.ready).toBe(false);
    } finally {
      wrong.close();
      good.close();
    }
  });
});
