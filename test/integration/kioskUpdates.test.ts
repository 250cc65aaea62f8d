import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditResponse, KioskPackageSavedResponse, KioskPackagesResponse, RolloutsResponse, RolloutView, TerminalHealth, UpdateReport } from '@helppoint/shared';
import { startSimTerminal, type Launched } from '../../scripts/lib/launch.ts';
import { buildDeb as debPackage } from '../support/debPackage.ts';
import { eventually } from '../support/kioskStatus.ts';
import { RawPeer, startTestRelay } from '../support/relayHarness.ts';
import { signIn } from '../support/station.ts';
import { challengeOf, enrolTerminals } from '../support/terminalKeys.ts';
import type { DeviceKey } from '../../kiosk/src/enrol/deviceKey.ts';
import { UpdateAgent, type UpdateSystem } from '../../kiosk/src/update/UpdateAgent.ts';
import { readJson, type UpdateRequest, type UpdateState } from '../../kiosk/src/update/updateState.ts';
import { KIOSK_VERSION } from '../../kiosk/src/version.ts';
import { SecretRepo } from '../../relay/src/db/SecretRepo.ts';
import { downloadPath } from '../../relay/src/updates/downloadToken.ts';

/**
 * Kiosk updates through a real relay (SQLite file, files on disk, dpkg-deb)
 * and a real simulated kiosk process: an admin uploads a .deb, a technician
 * rolls it out, the kiosk downloads and checks it and leaves the request its
 * root update agent reads; what the terminal reports moves the rollout on.
 */
const SIM = 'XC-SCH-001';
const RAW = 'XC-HT-003';
const OFFLINE = 'XC-KG-002';
const ARM = 'XC-SCH-004';
const CURRENT = 'XC-KG-005';
const CAP = 256 * 1024;

let relay: Awaited<ReturnType<typeof startTestRelay>>;
let dir: string;
let kiosk: Launched | undefined;
let keys: Map<string, DeviceKey>;
let admin: string;
let tech: string;
let officer: string;
const agentDir = () => path.join(dir, 'agent');
const kioskUpdateDir = () => path.join(dir, `state-${SIM}`, 'update');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const buildDeb = (name: string, fields: { package?: string; version: string; arch?: string }, payloadBytes = 1000) => debPackage(dir, name, fields, payloadBytes);

const upload = (cookie: string, body: Buffer | ReadableStream<Uint8Array>) =>
  fetch(`${relay.url}/api/updates/packages`, {
    method: 'PUT',
    headers: { cookie, 'content-type': 'application/octet-stream' },
    ...(body instanceof ReadableStream ? { body, duplex: 'half' } : { body: new Uint8Array(body) }),
  } as RequestInit);
const codeOf = async (res: Response) => ((await res.json()) as { error?: { code: string } }).error?.code;
const rollOut = async (cookie: string, sha256: string, terminalIds: string[]) => {
  const res = await fetch(`${relay.url}/api/updates/rollouts`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify({ sha256, terminalIds }) });
  return { status: res.status, body: (await res.json()) as RolloutsResponse & { error?: { code: string } } };
};
const rolloutOf = async (terminalId: string): Promise<RolloutView | undefined> => {
  const res = await fetch(`${relay.url}/api/updates/rollouts`, { headers: { cookie: tech } });
  return ((await res.json()) as RolloutsResponse).rollouts.find((r) => r.terminalId === terminalId);
};
const audit = async () => ((await (await fetch(`${relay.url}/api/audit?limit=500`, { headers: { cookie: admin } })).json()) as AuditResponse).entries;

/** A terminal speaking the protocol by hand (architecture given in hello, as the kiosk does). */
async function rawTerminal(terminalId: string, arch: string, version = '1.0.0'): Promise<RawPeer> {
  const t = await RawPeer.open(`${relay.url.replace(/^http/, 'ws')}/ws/terminal`);
  const nonce = await challengeOf(t);
  const hello = await t.request(1, 'hello', { terminalId, version, arch, nonce, signature: keys.get(terminalId)!.signHello(terminalId, nonce) });
  expect(hello['ok']).toBe(true);
  return t;
}
const offersOf = (t: RawPeer) => t.frames.filter((f) => f['type'] === 'update.offer').map((f) => f['data'] as { version: string; sha256: string; size: number; url: string });

const health = (update: UpdateReport): TerminalHealth => ({
  uptimeS: 120,
  cpuTempC: null,
  load1: null,
  memFreeMb: null,
  memTotalMb: null,
  diskFreeMb: null,
  camera: { framesDelivered: 0, lastFrameAgoS: null },
  micLevelDbfs: null,
  buttonOkAgoS: null,
  tamperOpen: null,
  lte: { present: false, rssiDbm: null, csq: null, registration: 'unknown', operator: null },
  rttMs: null,
  clockOffsetMs: 0,
  version: '1.0.0',
  update,
});

let good: Buffer;
let goodSha: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-updates-'));
  fs.mkdirSync(path.join(agentDir(), 'packages'), { recursive: true });
  relay = await startTestRelay({ heartbeatIntervalMs: 500, updates: { maxPackageBytes: CAP, downloadTokenTtlMs: 60_000, uploadPace: { minBytesPerSec: 32 * 1024, windowMs: 30_000 } } });
  keys = enrolTerminals(relay.relay, [RAW, OFFLINE, ARM, CURRENT]);
  admin = await signIn(relay.url, 'admin', 'demo-admin');
  tech = await signIn(relay.url, 'tech', 'demo-tech');
  officer = await signIn(relay.url, 'officer1', 'demo-officer1');
  good = buildDeb('good', { version: '9.9.9' });
  goodSha = sha(good);
}, 60_000);

afterAll(async () => {
  await kiosk?.stop();
  await relay?.close();
  if (!process.env['HELPPOINT_KEEP_LOGS']) fs.rmSync(dir, { recursive: true, force: true });
});

describe('kiosk packages on the relay', () => {
  it('takes a helppoint-kiosk .deb from an admin, reading its fields with dpkg, and refuses everything else', async () => {
    const res = await upload(admin, good);
    expect(res.status).toBe(201);
    const saved = (await res.json()) as KioskPackageSavedResponse;
    expect(saved).toMatchObject({ created: true, package: { sha256: goodSha, version: '9.9.9', architecture: 'amd64', size: good.length, uploadedBy: 'user:admin' } });
    expect(fs.readFileSync(path.join(relay.dir, 'media', 'packages', `${goodSha}.deb`)).equals(good)).toBe(true);
    // The same file again is no error and no second copy.
    const again = await upload(admin, good);
    expect(again.status).toBe(200);
    expect(((await again.json()) as KioskPackageSavedResponse).created).toBe(false);

    expect(await codeOf(await upload(admin, Buffer.from('#!/bin/sh\nrm -rf /\n')))).toBe('package_invalid');
    expect(await codeOf(await upload(admin, Buffer.alloc(0)))).toBe('package_invalid');
    const other = await upload(admin, buildDeb('other', { package: 'openssh-server', version: '9.9.9' }));
    expect(other.status).toBe(400);
    expect(await codeOf(other)).toBe('package_not_kiosk');
    // Over the cap: refused by its declared length, and (chunked, no length) while streaming.
    const big = buildDeb('big', { version: '9.9.11' }, CAP + 10_000);
    const tooBig = await upload(admin, big);
    expect(tooBig.status).toBe(413);
    expect(await codeOf(tooBig)).toBe('package_too_large');
    const chunked = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < big.length; i += 16_384) c.enqueue(big.subarray(i, i + 16_384));
        c.close();
      },
    });
    const streamed = await upload(admin, chunked);
    expect(streamed.status).toBe(413);
    expect(await codeOf(streamed)).toBe('package_too_large');
    // Only an admin brings firmware onto the relay.
    expect(await codeOf(await upload(tech, good))).toBe('forbidden');
    expect(await codeOf(await upload(officer, good))).toBe('forbidden');
    expect(await codeOf(await upload('', good))).toBe('unauthenticated');

    // Nothing refused was kept: one package, one file (no half uploads left behind).
    const list = (await (await fetch(`${relay.url}/api/updates/packages`, { headers: { cookie: tech } })).json()) as KioskPackagesResponse;
    expect(list.packages.map((p) => p.version)).toEqual(['9.9.9']);
    expect(fs.readdirSync(path.join(relay.dir, 'media', 'packages'))).toEqual([`${goodSha}.deb`]);
    expect(await codeOf(await fetch(`${relay.url}/api/updates/packages`, { headers: { cookie: officer } }))).toBe('forbidden');

    const uploads = (await audit()).filter((e) => e.action === 'update.upload');
    expect(uploads.filter((e) => e.outcome === 'ok')).toHaveLength(1);
    expect(uploads.filter((e) => e.outcome === 'refused').map((e) => (e.detail as { code: string }).code).sort()).toEqual(
      ['package_invalid', 'package_invalid', 'package_not_kiosk', 'package_too_large', 'package_too_large'].sort(),
    );
  });
});

describe('rolling a package out', () => {
  it('a connected kiosk downloads it, checks it and leaves the request its update agent installs; the rollout follows what it reports', async () => {
    kiosk = await startSimTerminal({ relayUrl: relay.url, terminalId: SIM, logDir: dir, env: { HELPPOINT_UPDATE_AGENT_DIR: agentDir() } });
    await eventually(async () => relay.relay.presence.isOnline(SIM), 20_000, 'terminal online');

    expect((await rollOut(officer, goodSha, [SIM])).body.error?.code).toBe('forbidden');
    const r = await rollOut(tech, goodSha, [SIM]);
    expect(r.status).toBe(200);
    expect(r.body.rollouts).toMatchObject([{ terminalId: SIM, version: '9.9.9', state: 'offered', requestedBy: 'user:tech' }]);

    const requestFile = path.join(kioskUpdateDir(), 'request.json');
    const req = await eventually(async () => readJson<UpdateRequest>(requestFile), 20_000, 'request.json');
    expect(req).toEqual({ version: '9.9.9', file: 'helppoint-kiosk_9.9.9.deb', sha256: goodSha });
    expect(sha(fs.readFileSync(path.join(kioskUpdateDir(), req.file)))).toBe(goodSha);
    await eventually(async () => (await rolloutOf(SIM))?.state === 'downloaded', 10_000, 'rollout downloaded');
    expect((await audit()).some((e) => e.action === 'update.download' && e.outcome === 'ok' && e.actor === `terminal:${SIM}`)).toBe(true);

    // The root agent, with the real dpkg-deb reading the downloaded file and a stand-in for installing and systemd.
    fs.writeFileSync(path.join(agentDir(), 'packages', `helppoint-kiosk_${KIOSK_VERSION}_amd64.deb`), 'the running version');
    let installed = KIOSK_VERSION;
    const system: UpdateSystem = {
      installedVersion: async () => installed,
      debFields: async (file) => {
        const [p, v, a] = execFileSync('dpkg-deb', ['-f', file, 'Package', 'Version', 'Architecture'], { encoding: 'utf8' }).trim().split('\n').map((l) => l.split(': ')[1]!);
        return { package: p!, version: v!, architecture: a! };
      },
      architecture: async () => 'amd64',
      install: async (file) => {
        installed = file.includes('9.9.9') ? '9.9.9' : KIOSK_VERSION;
      },
      unit: async () => ({ activeState: 'active', subState: 'running', result: 'success', nRestarts: 0, mainPid: 1, execMainStatus: '0' }),
      kioskStatus: async () => ({ version: installed, relay: { connected: true }, call: { state: 'idle' } }),
    };
    const agent = new UpdateAgent({ stateDir: path.dirname(kioskUpdateDir()), agentDir: agentDir(), system, logger: pino({ level: 'silent' }), confirmMs: 5_000, stableMs: 50, pollMs: 10, idleWaitMs: 1_000 });
    expect(await agent.run()).toMatchObject({ state: 'updated', version: '9.9.9' });
    expect(readJson<UpdateState>(path.join(agentDir(), 'state.json'))).toMatchObject({ state: 'updated', version: '9.9.9' });
    // The kiosk reads the agent's state.json into its heartbeat: the relay's rollout says updated.
    await eventually(async () => (await rolloutOf(SIM))?.state === 'updated', 10_000, 'rollout updated');
  }, 90_000);

  it('a tampered package is refused by the kiosk and the rollout says why', async () => {
    const next = buildDeb('next', { version: '9.9.10' });
    const res = await upload(admin, next);
    expect(res.status).toBe(201);
    const nextSha = sha(next);
    // Someone changes the stored file (same size, other bytes): the kiosk must not hand it on.
    const stored = path.join(relay.dir, 'media', 'packages', `${nextSha}.deb`);
    const tampered = Buffer.from(next);
    tampered[tampered.length - 10] = tampered[tampered.length - 10]! ^ 0xff;
    fs.writeFileSync(stored, tampered);
    expect((await rollOut(admin, nextSha, [SIM])).status).toBe(200);
    const row = await eventually(async () => {
      const r = await rolloutOf(SIM);
      return r?.sha256 === nextSha && r.state === 'failed' ? r : null;
    }, 20_000, 'rollout failed');
    expect(row.reason).toMatch(/checksum .* is not the offered/);
    expect(fs.existsSync(path.join(kioskUpdateDir(), 'request.json'))).toBe(false);
    expect(fs.readdirSync(kioskUpdateDir()).filter((f) => f.includes('9.9.10'))).toEqual([]);
    expect((await audit()).some((e) => e.action === 'update.download' && e.outcome === 'refused' && e.actor === `terminal:${SIM}`)).toBe(true);
  }, 60_000);

  it('offers terminals in a call too, signs each download link for one terminal and a short time, and audits downloads', async () => {
    const t = await rawTerminal(RAW, 'amd64');
    // In a call: still offered (the kiosk's agent waits for idle itself).
    expect((await t.request(2, 'help.request', { requestId: '7f3c1b7e-8c1a-4a35-9d9f-2b2f6d0f4a11' }))['ok']).toBe(true);
    expect((await rollOut(tech, goodSha, [RAW])).body.rollouts[0]!.state).toBe('offered');
    const offer = await t.until(() => offersOf(t)[0]);
    expect(offer).toMatchObject({ version: '9.9.9', architecture: 'amd64', sha256: goodSha, size: good.length });

    const res = await fetch(`${relay.url}${offer.url}`);
    expect(res.status).toBe(200);
    expect(sha(Buffer.from(await res.arrayBuffer()))).toBe(goodSha);

    const u = new URL(offer.url, relay.url);
    const without = new URL(u);
    without.search = '';
    expect(await codeOf(await fetch(without))).toBe('download_token_invalid');
    const otherTerminal = new URL(u);
    otherTerminal.searchParams.set('terminal', SIM);
    const refused = await fetch(otherTerminal);
    expect(refused.status).toBe(403);
    expect(await codeOf(refused)).toBe('download_token_invalid');
    const secret = new SecretRepo({ db: relay.relay.db }).getOrCreate('kiosk-download');
    const expired = downloadPath(secret, { terminalId: RAW, sha256: goodSha, expiresAt: Date.now() - 1 });
    expect(await codeOf(await fetch(`${relay.url}${expired}`))).toBe('download_token_expired');
    const refusals = (await audit()).filter((e) => e.action === 'update.download' && e.outcome === 'refused').map((e) => (e.detail as { code: string }).code);
    expect(refusals).toEqual(expect.arrayContaining(['download_token_invalid', 'download_token_expired']));

    // What the terminal reports in its heartbeat moves the rollout: a report from before this rollout does not.
    const hb = async (id: number, update: UpdateReport) => expect((await t.request(id, 'heartbeat', { seq: id, uptimeS: 5, health: health(update) }))['ok']).toBe(true);
    await hb(10, { state: 'rolled_back', version: '1.0.0', failedVersion: '9.9.9', reason: 'an old attempt', at: Date.now() - 3_600_000 });
    expect((await rolloutOf(RAW))?.state).toBe('offered');
    // A call held the update up: the rollout waits for it (it is not failed), then goes on.
    await hb(11, { state: 'waiting_idle', version: '9.9.9', reason: 'a call is on: 9.9.9 goes in once it has ended', at: Date.now() });
    expect((await rolloutOf(RAW))?.state).toBe('waiting_idle');
    await hb(12, { state: 'installing', version: '9.9.9', at: Date.now() });
    expect((await rolloutOf(RAW))?.state).toBe('installing');
    await hb(13, { state: 'confirming', version: '9.9.9', at: Date.now() });
    expect((await rolloutOf(RAW))?.state).toBe('confirming');
    await hb(14, { state: 'rolled_back', version: '1.0.0', failedVersion: '9.9.9', reason: 'not confirmed within 180 s: kiosk 9.9.9 runs but has not reconnected to the relay', at: Date.now() });
    expect(await rolloutOf(RAW)).toMatchObject({ state: 'rolled_back', reason: 'not confirmed within 180 s: kiosk 9.9.9 runs but has not reconnected to the relay' });
    t.close();
  });

  it('a terminal that is offline gets the offer when it next says hello; one of another architecture is not offered it', async () => {
    const r = await rollOut(admin, goodSha, [OFFLINE, ARM]);
    expect(r.body.rollouts.map((x) => [x.terminalId, x.state])).toEqual([
      [OFFLINE, 'pending'],
      [ARM, 'pending'],
    ]);
    const t = await rawTerminal(OFFLINE, 'amd64');
    expect(await t.until(() => offersOf(t)[0])).toMatchObject({ version: '9.9.9', sha256: goodSha });
    expect((await rolloutOf(OFFLINE))?.state).toBe('offered');
    const arm = await rawTerminal(ARM, 'arm64');
    await eventually(async () => (await rolloutOf(ARM))?.state === 'failed', 5_000, 'arm terminal refused');
    expect((await rolloutOf(ARM))?.reason).toBe('the terminal runs arm64; this package is for amd64');
    expect(offersOf(arm)).toEqual([]);
    // A terminal already running the version is not offered it again: its rollout is done.
    const current = await rawTerminal(CURRENT, 'amd64', '9.9.9');
    expect((await rollOut(admin, goodSha, [CURRENT])).body.rollouts[0]).toMatchObject({ state: 'updated', reason: 'already running 9.9.9' });
    expect(offersOf(current)).toEqual([]);
    current.close();
    // Unknown terminals and packages are refused as a whole.
    expect((await rollOut(admin, goodSha, ['XC-NOPE-999'])).body.error?.code).toBe('unknown_terminal');
    expect((await rollOut(admin, 'f'.repeat(64), [OFFLINE])).body.error?.code).toBe('package_not_found');
    t.close();
    arm.close();
  });
});
