import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UpdateAgent, type UpdateSystem } from './UpdateAgent.ts';
import { readJson, type UpdateState } from './updateState.ts';

/** A terminal as dpkg and systemd would show it: installing a version makes that version "run". */
class FakeTerminal implements UpdateSystem {
  installed = '1.0.0';
  installs: string[] = [];
  /** Versions whose kiosk starts, reconnects and stays up. */
  good = new Set(['1.0.0', '1.1.0']);
  restarts = 0;
  callState = 'idle';
  installedVersion = async () => this.installed;
  debFields = async (file: string) => {
    const [, version, arch] = /helppoint-kiosk_([^_]+)_([^.]+)\.deb$/.exec(fs.readFileSync(file, 'utf8')) ?? [];
    return { package: 'helppoint-kiosk', version: version ?? '', architecture: arch ?? '' };
  };
  architecture = async () => 'arm64';
  install = async (file: string) => {
    this.installs.push(path.basename(file));
    this.installed = (await this.debFields(file)).version;
  };
  unit = async () => {
    if (!this.good.has(this.installed)) this.restarts++;
    const ok = this.good.has(this.installed);
    return { activeState: ok ? 'active' : 'activating', subState: ok ? 'running' : 'auto-restart', result: ok ? 'success' : 'exit-code', nRestarts: this.restarts, mainPid: 1, execMainStatus: ok ? '0' : '1' };
  };
  kioskStatus = async () => (this.good.has(this.installed) ? { version: this.installed, relay: { connected: true }, call: { state: this.callState } } : null);
}

describe('update agent', () => {
  let dir: string;
  let sys: FakeTerminal;
  let agent: UpdateAgent;
  const stateDir = () => path.join(dir, 'state');
  const agentDir = () => path.join(dir, 'agent');

  /** A stand-in .deb: its content names it, so the fake dpkg can read its fields. */
  function offer(version: string, opts: { sha?: string } = {}) {
    const name = `helppoint-kiosk_${version}_arm64.deb`;
    fs.mkdirSync(path.join(stateDir(), 'update'), { recursive: true });
    fs.writeFileSync(path.join(stateDir(), 'update', name), name);
    const sha = opts.sha ?? crypto.createHash('sha256').update(name).digest('hex');
    fs.writeFileSync(path.join(stateDir(), 'update', 'request.json'), JSON.stringify({ version, file: name, sha256: sha }));
  }

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-update-'));
    fs.mkdirSync(path.join(agentDir(), 'packages'), { recursive: true });
    fs.writeFileSync(path.join(agentDir(), 'packages', 'helppoint-kiosk_1.0.0_arm64.deb'), 'helppoint-kiosk_1.0.0_arm64.deb');
    sys = new FakeTerminal();
    agent = new UpdateAgent({ stateDir: stateDir(), agentDir: agentDir(), system: sys, logger: pino({ level: 'silent' }), confirmMs: 400, stableMs: 60, pollMs: 10, idleWaitMs: 200 });
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('installs a good version and confirms it once it has stayed connected', async () => {
    offer('1.1.0');
    const r = await agent.run();
    expect(r).toMatchObject({ state: 'updated', version: '1.1.0' });
    expect(sys.installs).toEqual(['helppoint-kiosk_1.1.0_arm64.deb']);
    expect(fs.existsSync(path.join(agentDir(), 'attempt.json'))).toBe(false);
    expect(fs.existsSync(path.join(stateDir(), 'update', 'request.json'))).toBe(false);
    // The running package and the one before it are kept for the next rollback.
    expect(fs.readdirSync(path.join(agentDir(), 'packages')).sort()).toEqual(['helppoint-kiosk_1.0.0_arm64.deb', 'helppoint-kiosk_1.1.0_arm64.deb']);
  });

  it('rolls back by itself when the new kiosk never comes up, and says why', async () => {
    offer('2.0.0');
    const r = await agent.run();
    expect(r).toMatchObject({ state: 'rolled_back', version: '1.0.0', failedVersion: '2.0.0' });
    expect(r!.reason).toMatch(/kiosk 2.0.0 does not start: helppoint-kiosk.service restarted 5 time\(s\) \(last exit: 1\)/);
    expect(sys.installs).toEqual(['helppoint-kiosk_2.0.0_arm64.deb', 'helppoint-kiosk_1.0.0_arm64.deb']);
    expect(sys.installed).toBe('1.0.0');
    expect(readJson<UpdateState>(path.join(agentDir(), 'state.json'))).toMatchObject({ state: 'rolled_back', failedVersion: '2.0.0' });
  });

  it('never installs during a call: a long call holds the update up, and it goes in once the call is over', async () => {
    sys.callState = 'in_call';
    offer('1.1.0');
    // Each run waits idleWaitMs; the request stays for the next run (the path unit starts it again at once).
    for (let i = 0; i < 3; i++) {
      const r = await agent.run();
      expect(r).toMatchObject({ state: 'waiting_idle', version: '1.1.0' });
      expect(r!.reason).toMatch(/a call is on: 1.1.0 goes in once it has ended/);
      expect(sys.installs).toEqual([]);
      expect(fs.existsSync(path.join(stateDir(), 'update', 'request.json'))).toBe(true);
    }
    // The relay's fleet page shows the rollout waiting for the call, not failed.
    expect(readJson<UpdateState>(path.join(agentDir(), 'state.json'))).toMatchObject({ state: 'waiting_idle', version: '1.1.0' });

    // The call ends while a run waits: it installs then, not before.
    const run = agent.run();
    await new Promise((r) => setTimeout(r, 50));
    expect(sys.installs).toEqual([]);
    sys.callState = 'idle';
    expect(await run).toMatchObject({ state: 'updated', version: '1.1.0' });
    expect(sys.installs).toEqual(['helppoint-kiosk_1.1.0_arm64.deb']);
    expect(fs.existsSync(path.join(stateDir(), 'update', 'request.json'))).toBe(false);
    expect(await agent.run()).toBeNull();
  });

  it('a newer offer taken during the call replaces the one waiting: only the newer one is installed', async () => {
    sys.callState = 'in_call';
    sys.good.add('1.2.0');
    offer('1.1.0');
    const run = agent.run();
    await new Promise((r) => setTimeout(r, 50));
    offer('1.2.0');
    sys.callState = 'idle';
    expect(await run).toBeNull();
    expect(sys.installs).toEqual([]);
    expect(fs.readdirSync(path.join(stateDir(), 'update')).sort()).toEqual(['helppoint-kiosk_1.2.0_arm64.deb', 'request.json']);
    expect(await agent.run()).toMatchObject({ state: 'updated', version: '1.2.0' });
    expect(sys.installs).toEqual(['helppoint-kiosk_1.2.0_arm64.deb']);
  });

  it('refuses a package whose checksum is not the offered one, without touching the terminal', async () => {
    offer('1.1.0', { sha: 'f'.repeat(64) });
    const r = await agent.run();
    expect(r).toMatchObject({ state: 'failed', version: '1.0.0' });
    expect(r!.reason).toMatch(/checksum/);
    expect(sys.installs).toEqual([]);
  });

  it('refuses to update when there is no copy of the running version to go back to', async () => {
    fs.rmSync(path.join(agentDir(), 'packages', 'helppoint-kiosk_1.0.0_arm64.deb'));
    offer('1.1.0');
    expect((await agent.run())!.reason).toMatch(/no copy of the running version 1.0.0/);
    expect(sys.installs).toEqual([]);
  });

  it('a power cut during the rollback: the next boot finishes it', async () => {
    sys.installed = '2.0.0';
    fs.writeFileSync(path.join(agentDir(), 'packages', 'helppoint-kiosk_2.0.0_arm64.deb'), 'helppoint-kiosk_2.0.0_arm64.deb');
    const attempt = { from: '1.0.0', to: '2.0.0', fromDeb: path.join(agentDir(), 'packages', 'helppoint-kiosk_1.0.0_arm64.deb'), toDeb: path.join(agentDir(), 'packages', 'helppoint-kiosk_2.0.0_arm64.deb'), phase: 'rolling_back', startedAt: 0 };
    fs.writeFileSync(path.join(agentDir(), 'attempt.json'), JSON.stringify(attempt));
    const r = await agent.run();
    expect(r).toMatchObject({ state: 'rolled_back', version: '1.0.0' });
    expect(sys.installed).toBe('1.0.0');
  });
});
