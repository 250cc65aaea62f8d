import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRelay } from '../../support/relayHarness.ts';
import { openConsole, signIn } from '../../support/station.ts';
import { brokenNextVersion } from './brokenPackage.ts';
import { buildPiArtifacts, type PiArtifacts } from './piArtifacts.ts';
import { PiContainer } from './PiContainer.ts';

export interface ScenarioOptions {
  arch: 'amd64' | 'arm64';
  /**
   * Multiplies every wait and test timeout. The bases are 2.5–4× what each
   * step took natively on a 2-core machine (deploy/pi/README.md, "Measured");
   * 2 for amd64 leaves room for one that is busy with other work (its install
   * took 2.5× as long at a load average of 12), and arm64 under qemu-user
   * measured about 4× amd64 on the same machine: 8.
   */
  slow: number;
  /** Printed as the skip reason when set. */
  skipReason: string | null;
}

const SIMULATED_DROP_IN = `# Test only: simulated button, LED, camera and audio (kiosk/src/config.ts HELPPOINT_SIMULATED).
[Service]
Environment=HELPPOINT_SIMULATED=1
Environment=HELPPOINT_LOG_LEVEL=debug
`;

/**
 * The terminal as a technician gets it: the .deb and its offline bundle copied
 * onto a Debian 12 root standing in for Raspberry Pi OS Lite, booted under
 * systemd-nspawn with no route to any network but one veth to this host.
 * Shared by the amd64 test (part of npm test) and the arm64 one (qemu-user).
 */
export function describeTerminalPackage(o: ScenarioOptions): void {
  const title = `the ${o.arch} kiosk package on a booted Debian 12 root`;
  if (o.skipReason) {
    describe.skip(`${title} (skipped: ${o.skipReason})`, () => {
      it('needs root, systemd-nspawn, mmdebstrap and network namespaces', () => undefined);
    });
    return;
  }
  describe(title, () => {
    const work = fs.mkdtempSync(path.join(fs.existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir(), `helppoint-pi-${o.arch}-`));
    let art: PiArtifacts;
    let c: PiContainer;
    let relay: Awaited<ReturnType<typeof startTestRelay>> | null = null;
    const t = (ms: number) => ms * o.slow;
    const figures: Record<string, number | string> = {};

    beforeAll(async () => {
      art = await buildPiArtifacts(o.arch, path.join(work, 'dist'));
      figures['deb_mb'] = +(fs.statSync(art.deb).size / 1e6).toFixed(1);
      figures['bundle_mb'] = +(dirSize(art.bundle) / 1e6).toFixed(1);
      c = await PiContainer.unpack({ rootfsTar: art.rootfsTar, workDir: path.join(work, 'c'), tag: String(process.pid % 100_000) });
      c.put(art.deb, `/root/${path.basename(art.deb)}`);
      c.put(art.bundle, `/root/${path.basename(art.bundle)}`);
      for (const unit of ['helppoint-kiosk.service', 'helppoint-provision.service']) c.write(`/etc/systemd/system/${unit}.d/simulated.conf`, SIMULATED_DROP_IN);
      const t0 = Date.now();
      await c.boot(t(60_000));
      figures['boot_s'] = (Date.now() - t0) / 1000;
    }, 60 * 60_000);

    afterAll(async () => {
      // The terminal's whole journal, kept for a failure's post-mortem (the root file system goes with the container).
      const journal = `${fs.existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir()}/helppoint-pi-${o.arch}-last-journal.txt`;
      if (c?.leaderPid) await c.try(`journalctl -o short-precise --no-pager > /root/journal.txt`, 60_000).then(() => c.exists('/root/journal.txt') && fs.copyFileSync(path.join(c.root, 'root/journal.txt'), journal));
      console.log(`[pi ${o.arch}] journal: ${journal}`);
      console.log(`[pi ${o.arch}] ${Object.entries({ ...figures, ...Object.fromEntries(Object.entries(art?.timings ?? {}).map(([k, v]) => [`${k}_s`, v])) }).map(([k, v]) => `${k}=${v}`).join(' ')}`);
      await relay?.close();
      await c?.close();
      fs.rmSync(work, { recursive: true, force: true });
    }, 120_000);

    it('installs with no network: command, user, enabled unit, config.txt block, udev rules', async () => {
      // The container has no default route and no name server: nothing can come from outside.
      expect((await c.sh('ip route')).stdout).not.toMatch(/default/);
      expect((await c.try('getent hosts deb.debian.org')).code).not.toBe(0);
      expect((await c.try('command -v ffmpeg')).code).not.toBe(0);

      const t0 = Date.now();
      const inst = await c.try(`sh /root/${path.basename(art.bundle)}/install.sh /root/${path.basename(art.deb)}`, t(240_000));
      figures['install_s'] = (Date.now() - t0) / 1000;
      expect(inst.code, `${inst.stdout}\n${inst.stderr}`).toBe(0);

      expect((await c.sh('helppoint-kiosk --version')).stdout.trim()).toBe(art.version);
      for (const tool of ['ffmpeg', 'socat', 'gpioset']) expect((await c.try(`command -v ${tool}`)).code, tool).toBe(0);
      // The echo canceller addon loads as the service's user against the libwebrtc-audio-processing1 and
      // libspeexdsp1 the bundle installed, and cancels one 10 ms frame (else the kiosk falls back to the raw microphone).
      const apm = await c.try(`runuser -u helppoint -- /opt/helppoint-kiosk/node/bin/node -e "const m = require('/opt/helppoint-kiosk/app/node_modules/@helppoint/audio-processing'); const p = new m.AudioProcessor({ sampleRate: 48000 }); p.render(new Int16Array(480)); p.capture(new Int16Array(480), 60); p.close(); const e = new m.EchoCanceller(); e.render(new Int16Array(480)); e.capture(new Int16Array(480)); e.close(); console.log('APM OK')"`, t(30_000));
      expect(apm.stdout.trim(), apm.stderr).toBe('APM OK');
      const groups = (await c.sh('id -nG helppoint')).stdout.trim().split(' ');
      expect(groups).toEqual(expect.arrayContaining(['helppoint', 'gpio', 'video', 'audio', 'dialout']));
      expect((await c.sh('systemctl is-enabled helppoint-kiosk.service')).stdout.trim()).toBe('enabled');
      // Not enrolled yet: the unit waits (condition), it does not crash-loop.
      expect(await c.unit('helppoint-kiosk.service', 'ActiveState')).toBe('inactive');
      expect(await c.unit('helppoint-kiosk.service', 'NRestarts')).toBe('0');
      expect(c.read('/boot/firmware/config.txt').match(/^gpio=17=ip,pu$/gm)).toHaveLength(1);
      expect(c.exists('/usr/lib/udev/rules.d/77-helppoint-modem.rules')).toBe(true);
      expect(c.read('/boot/firmware/config.txt')).toMatch(/^gpio=22,23=ip,pu$/m);
      expect(await c.sh('systemd-analyze cat-config systemd/journald.conf').then((r) => r.stdout)).toMatch(/^Storage=volatile$/m);
      expect(await c.sh('systemd-analyze cat-config systemd/system.conf').then((r) => r.stdout)).toMatch(/^RuntimeWatchdogSec=15s$/m);

      // A reinstall (the update path) keeps one block, not two.
      const again = await c.try(`dpkg -i /root/${path.basename(art.deb)}`, t(120_000));
      expect(again.code, again.stderr).toBe(0);
      expect(c.read('/boot/firmware/config.txt').match(/^# >>> helppoint-kiosk/gm)).toHaveLength(1);
    }, t(420_000));

    it('every unit it installs passes systemd-analyze verify', async () => {
      const units = (await c.sh('dpkg -L helppoint-kiosk | grep -E "/lib/systemd/system/[^/]+\\.(service|path|mount|timer)$"')).stdout.trim().split('\n');
      expect(units.length).toBeGreaterThanOrEqual(5);
      for (const u of units) {
        const r = await c.try(`systemd-analyze verify '${u}' 2>&1`);
        // verify prints problems on stderr (merged here) and still exits 0 for some; both must be clean.
        const complaints = r.stdout.split('\n').filter((l) => l.trim() !== '' && !/Cannot add dependency job|Failed to create .*\.slice|Unit .*target not found/.test(l));
        expect({ unit: u, code: r.code, complaints }).toEqual({ unit: u, code: 0, complaints: [] });
      }
    }, t(60_000));

    it('first boot: a wrong code is said and left for the technician; the right one enrols and the terminal is online', async () => {
      relay = await startTestRelay({ host: c.hostAddr, rtcListenIp: c.hostAddr });
      const base = relay.url;
      const tech = await signIn(base, 'tech', 'demo-tech');
      c.write('/boot/firmware/helppoint.txt', `relay=${base}\ncode=WRONG-CODE-0000\n`);
      const bad = await c.try('systemctl start helppoint-provision.service', t(120_000));
      expect(bad.code).not.toBe(0);
      expect(c.read('/boot/firmware/helppoint-result.txt')).toMatch(/^result: wrong_code$/m);
      expect((await c.sh('journalctl -u helppoint-provision -o cat')).stdout).toMatch(/"prompt":"wrong_code"/);

      const made = await fetch(`${base}/api/terminals/XC-HT-003/enrolment-code`, { method: 'POST', headers: { cookie: tech, 'content-type': 'application/json' }, body: '{}' });
      const code = ((await made.json()) as { code: string }).code;
      c.write('/boot/firmware/helppoint.txt', `# from the station\nrelay=${base}\ncode=${code}\n`);
      const t0 = Date.now();
      const good = await c.try('systemctl start helppoint-provision.service', t(300_000));
      expect(good.code, `${good.stderr}\n${(await c.sh('journalctl -u helppoint-provision -o cat | tail -n 20')).stdout}`).toBe(0);
      expect(c.read('/boot/firmware/helppoint-result.txt')).toMatch(/^result: enrolled$/m);
      // The code is spent: gone from the boot partition, the rest kept.
      expect(c.read('/boot/firmware/helppoint.txt')).not.toContain(code);
      expect(c.read('/boot/firmware/helppoint.txt')).toMatch(/^relay=/m);
      expect((await c.sh('stat -c %U:%a /var/lib/helppoint-kiosk/device-key.pem')).stdout.trim()).toBe('helppoint:600');
      expect((await c.sh('journalctl -u helppoint-provision -o cat')).stdout).toMatch(/"prompt":"enrolled"/);

      const online = await c.waitFor('the terminal online on the fleet page', () => fleetEntry(base, tech, 'XC-HT-003').then((e) => JSON.stringify(e)), (v) => v.includes('"online":true') && v.includes(`"version":"${art.version}"`), t(120_000));
      figures['provision_to_online_s'] = (Date.now() - t0) / 1000;
      expect(online).toContain('"online":true');
      const main = await c.unit('helppoint-kiosk.service', 'MainPID');
      expect((await c.sh(`ps -o user= -p ${main}`)).stdout.trim()).toBe('helppoint');
    }, t(360_000));

    it('doctor passes with the simulated hardware', async () => {
      await c.waitFor('the terminal idle', async () => (await c.sh('curl -sf http://127.0.0.1:8700/status')).stdout, (v) => v.includes('"state":"idle"'), t(60_000));
      const doctor = c.try('helppoint-kiosk doctor > /root/doctor.txt 2>&1', t(90_000));
      let done = false;
      void doctor.finally(() => (done = true));
      const printed = () => (c.exists('/root/doctor.txt') ? c.read('/root/doctor.txt') : '');
      // As a technician would: press when the doctor asks, once, and again only if its button line has not come.
      // (A press after the button check is a real press: it would start a call.)
      while (!done) {
        const asked = printed().split('Press the help button now')[1];
        if (asked !== undefined && !asked.includes('求助按钮 Button')) {
          await c.try(`curl -sf -X POST -d '{"action":"press"}' http://127.0.0.1:8700/sim/button`);
          await c.waitFor('the button line', async () => printed(), (v) => done || v.includes('求助按钮 Button'), t(5000)).catch(() => undefined);
        }
        await sleep(500);
      }
      const r = await doctor;
      expect(r.code, printed() + r.stderr).toBe(0);
      expect(printed()).toContain('all checks passed');
      expect(await kioskCallState(c)).toBe('idle');
    }, t(180_000));

    it('a button press on the terminal rings a console', async () => {
      const tech = await signIn(relay!.url, 'officer1', 'demo-officer1');
      const consoleWs = await openConsole(relay!.url, tech);
      const pid = await c.unit('helppoint-kiosk.service', 'MainPID');
      expect(await kioskCallState(c)).toBe('idle');
      try {
        await c.sh(`curl -sf -X POST -d '{"action":"press"}' http://127.0.0.1:8700/sim/button`);
        await c.waitFor('the call ringing on the console', async () => JSON.stringify(consoleWs.updates().filter((u) => u.terminal.id === 'XC-HT-003').map((u) => u.state)), (v) => v.includes('ringing'), t(30_000));
        // The long press cancels the call; the kiosk that rang must still be the one running (no crash, no watchdog kill).
        const cancel = await c.try(`curl -sS -f -X POST -d '{"action":"long-press"}' http://127.0.0.1:8700/sim/button`);
        expect(cancel.code, `${cancel.stderr}\n${await c.unit('helppoint-kiosk.service', 'NRestarts,ActiveState')}\n${(await c.sh('journalctl -u helppoint-kiosk -o cat | tail -n 30')).stdout}`).toBe(0);
        expect(await c.unit('helppoint-kiosk.service', 'MainPID')).toBe(pid);
      } finally {
        consoleWs.peer.ws.close();
      }
    }, t(90_000));

    it('systemctl kill -s KILL: the service is back at once', async () => {
      const before = await c.unit('helppoint-kiosk.service', 'MainPID');
      const restarts = Number(await c.unit('helppoint-kiosk.service', 'NRestarts'));
      await c.sh('systemctl kill -s KILL helppoint-kiosk.service');
      await c.waitFor('a new main process', () => c.unit('helppoint-kiosk.service', 'MainPID,ActiveState'), (v) => {
        const [pid, state] = v.split('\n');
        return pid !== before && pid !== '0' && state === 'active';
      }, t(60_000));
      expect(Number(await c.unit('helppoint-kiosk.service', 'NRestarts'))).toBe(restarts + 1);
    }, t(90_000));

    it('a hung event loop (SIGSTOP) is killed by the watchdog and restarted', async () => {
      const before = await c.unit('helppoint-kiosk.service', 'MainPID');
      expect(Number(before)).toBeGreaterThan(1);
      const timeouts = async () => Number((await c.try('journalctl -u helppoint-kiosk -o cat | grep -c "Watchdog timeout"')).stdout.trim() || 0);
      const earlier = await timeouts();
      await c.sh(`kill -STOP ${before}`);
      await c.waitFor('the watchdog restart', () => c.unit('helppoint-kiosk.service', 'MainPID,ActiveState'), (v) => {
        const [pid, state] = v.split('\n');
        return pid !== before && pid !== '0' && state === 'active';
      }, t(90_000));
      // This restart was the watchdog's (one more timeout than before), not a crash's.
      expect(await timeouts()).toBe(earlier + 1);
    }, t(120_000));

    it('an update whose kiosk cannot start is rolled back by itself, and the reason is reported', async () => {
      const next = await brokenNextVersion(art.deb, `${art.version}+broken1`, work);
      const name = path.basename(next);
      c.put(next, `/var/lib/helppoint-kiosk/update/${name}`);
      const sha = crypto.createHash('sha256').update(fs.readFileSync(next)).digest('hex');
      await c.sh(`chown -R helppoint:helppoint /var/lib/helppoint-kiosk/update`);
      // What the kiosk writes when the relay offers a version and no call is on; the path unit starts the agent.
      await c.sh(`echo '${JSON.stringify({ version: `${art.version}+broken1`, file: name, sha256: sha })}' > /var/lib/helppoint-kiosk/update/request.json.tmp && mv /var/lib/helppoint-kiosk/update/request.json.tmp /var/lib/helppoint-kiosk/update/request.json`);
      const state = await c.waitFor('the rollback', async () => (c.exists('/var/lib/helppoint-kiosk-update/state.json') ? c.read('/var/lib/helppoint-kiosk-update/state.json') : ''), (v) => /"state": "(rolled_back|failed|updated)"/.test(v), t(240_000));
      const s = JSON.parse(state) as { state: string; version: string; failedVersion: string; reason: string };
      expect(s).toMatchObject({ state: 'rolled_back', version: art.version, failedVersion: `${art.version}+broken1` });
      expect(s.reason).toMatch(/restarted|activating|auto-restart|exit/);
      expect((await c.sh("dpkg-query -W -f='${Version}' helppoint-kiosk")).stdout).toBe(art.version);
      await c.waitFor('the previous kiosk running again', () => c.unit('helppoint-kiosk.service', 'ActiveState'), (v) => v === 'active', t(60_000));
      expect((await c.sh('helppoint-kiosk --version')).stdout.trim()).toBe(art.version);
    }, t(330_000));

    it('purge removes the config.txt block and the state', async () => {
      const r = await c.try('apt-get purge -y helppoint-kiosk', t(120_000));
      expect(r.code, r.stderr).toBe(0);
      expect(c.read('/boot/firmware/config.txt')).not.toContain('helppoint-kiosk');
      expect(c.read('/boot/firmware/config.txt')).toContain('[all]');
      expect(c.exists('/var/lib/helppoint-kiosk')).toBe(false);
    }, t(150_000));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function kioskCallState(c: PiContainer): Promise<string> {
  const status = JSON.parse((await c.sh('curl -sf http://127.0.0.1:8700/status')).stdout) as { call: { state: string } };
  return status.call.state;
}

async function fleetEntry(base: string, cookie: string, id: string): Promise<unknown> {
  const res = await fetch(`${base}/api/fleet`, { headers: { cookie } });
  const body = (await res.json()) as { entries: { terminalId: string }[] };
  return body.entries.find((e) => e.terminalId === id) ?? null;
}

function dirSize(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) n += fs.statSync(path.join(e.parentPath, e.name)).size;
  return n;
}
