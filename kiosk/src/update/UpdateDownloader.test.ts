import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UpdateDownloader, debianArch, type DownloadReport } from './UpdateDownloader.ts';
import { UpdateAgent, type UpdateSystem } from './UpdateAgent.ts';
import { readJson, type UpdateRequest } from './updateState.ts';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

describe('update downloader', () => {
  let dir: string;
  let server: http.Server;
  let relayUrl: string;
  /** What the stand-in relay serves at /api/updates/download/<anything>. */
  let body: Buffer;
  let status = 200;
  let requests: string[];
  let reports: DownloadReport[];
  let idle: boolean;
  let downloader: UpdateDownloader;
  const updateDir = () => path.join(dir, 'update');

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-download-'));
    body = Buffer.from('helppoint-kiosk_2.0.0_arm64.deb'.repeat(5000));
    status = 200;
    requests = [];
    reports = [];
    idle = true;
    server = http.createServer((req, res) => {
      requests.push(req.url ?? '');
      if (status !== 200) {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'download_token_expired', message: 'x' } }));
        return;
      }
      res.writeHead(200, { 'content-length': body.length }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    relayUrl = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws/terminal`;
    downloader = new UpdateDownloader({
      stateDir: dir,
      relayUrl,
      installedVersion: '1.0.0',
      architecture: 'arm64',
      isIdle: () => idle,
      report: async (r) => reports.push(r),
      logger: pino({ level: 'silent' }),
      idlePollMs: 10,
    });
  });
  afterEach(async () => {
    downloader.close();
    await new Promise((r) => server.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const offer = (over: Partial<{ version: string; architecture: string; sha256: string; size: number; url: string }> = {}) => ({
    version: '2.0.0',
    architecture: 'arm64',
    sha256: sha(body),
    size: body.length,
    url: '/api/updates/download/abc?terminal=XC-SCH-001&exp=1&token=t',
    ...over,
  });

  it('downloads over http from the relay host, checks it, and writes the request the update agent reads', async () => {
    expect(await downloader.offer(offer())).toBe('requested');
    expect(requests).toEqual(['/api/updates/download/abc?terminal=XC-SCH-001&exp=1&token=t']);
    const req = readJson<UpdateRequest>(path.join(updateDir(), 'request.json'));
    expect(req).toEqual({ version: '2.0.0', file: 'helppoint-kiosk_2.0.0.deb', sha256: sha(body) });
    expect(sha(fs.readFileSync(path.join(updateDir(), req!.file)))).toBe(sha(body));
    expect(fs.readdirSync(updateDir()).sort()).toEqual(['helppoint-kiosk_2.0.0.deb', 'request.json']);
    expect(reports.map((r) => r.state)).toEqual(['downloading', 'downloaded']);

    // The root agent takes exactly this request (a fake dpkg/systemd that knows the file's fields).
    const agentDir = path.join(dir, 'agent');
    fs.mkdirSync(path.join(agentDir, 'packages'), { recursive: true });
    fs.writeFileSync(path.join(agentDir, 'packages', 'helppoint-kiosk_1.0.0_arm64.deb'), 'old');
    let installed = '1.0.0';
    const system: UpdateSystem = {
      installedVersion: async () => installed,
      debFields: async (f) => ({ package: 'helppoint-kiosk', version: fs.readFileSync(f).equals(body) ? '2.0.0' : '1.0.0', architecture: 'arm64' }),
      architecture: async () => 'arm64',
      install: async (f) => {
        installed = fs.readFileSync(f).equals(body) ? '2.0.0' : '1.0.0';
      },
      unit: async () => ({ activeState: 'active', subState: 'running', result: 'success', nRestarts: 0, mainPid: 1, execMainStatus: '0' }),
      kioskStatus: async () => ({ version: installed, relay: { connected: true }, call: { state: 'idle' } }),
    };
    const agent = new UpdateAgent({ stateDir: dir, agentDir, system, logger: pino({ level: 'silent' }), confirmMs: 2000, stableMs: 30, pollMs: 10, idleWaitMs: 100 });
    expect(await agent.run()).toMatchObject({ state: 'updated', version: '2.0.0' });
    expect(installed).toBe('2.0.0');
  });

  it('refuses a package whose checksum is not the offered one, and says so to the relay', async () => {
    expect(await downloader.offer(offer({ sha256: sha('something else') }))).toBe('failed');
    expect(fs.existsSync(path.join(updateDir(), 'request.json'))).toBe(false);
    expect(fs.readdirSync(updateDir())).toEqual([]);
    expect(reports.at(-1)).toMatchObject({ state: 'failed', reason: expect.stringMatching(/checksum .* is not the offered/) });
  });

  it('refuses a body longer or shorter than offered', async () => {
    expect(await downloader.offer(offer({ size: body.length - 1 }))).toBe('failed');
    expect(reports.at(-1)?.reason).toMatch(/more than the offered/);
    expect(await downloader.offer(offer({ size: body.length + 1, sha256: sha('x') }))).toBe('failed');
    expect(reports.at(-1)?.reason).toMatch(/got \d+ bytes, the offer said/);
    expect(fs.readdirSync(updateDir())).toEqual([]);
  });

  it("reports the relay's refusal of the link", async () => {
    status = 403;
    expect(await downloader.offer(offer())).toBe('failed');
    expect(reports.at(-1)?.reason).toBe('download failed: the relay answered 403 download_token_expired');
  });

  it('ignores an offer of the version already installed; refuses a version that is not one and another architecture', async () => {
    expect(await downloader.offer(offer({ version: '1.0.0' }))).toBe('ignored');
    expect(requests).toEqual([]);
    expect(await downloader.offer(offer({ version: '../../etc/x' }))).toBe('failed');
    expect(await downloader.offer(offer({ architecture: 'amd64' }))).toBe('failed');
    expect(reports.at(-1)?.reason).toBe('the package is for amd64; this terminal is arm64');
    expect(requests).toEqual([]);
  });

  it('writes the request only once no call is on', async () => {
    idle = false;
    const done = downloader.offer(offer());
    await new Promise((r) => setTimeout(r, 150));
    expect(fs.existsSync(path.join(updateDir(), 'helppoint-kiosk_2.0.0.deb'))).toBe(true);
    expect(fs.existsSync(path.join(updateDir(), 'request.json'))).toBe(false);
    idle = true;
    expect(await done).toBe('requested');
    expect(fs.existsSync(path.join(updateDir(), 'request.json'))).toBe(true);
  });

  it('names the architecture as Debian does', () => {
    expect(debianArch('x64')).toBe('amd64');
    expect(debianArch('arm64')).toBe('arm64');
  });
});
