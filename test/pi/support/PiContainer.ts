import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { statFields } from '../../../relay/src/sfu/launcher/procStat.ts';

const run = promisify(execFile);
const ip = (...args: string[]) => run('ip', args, { timeout: 10_000 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface PiContainerOptions {
  /** The cached root file system tarball (scripts/lib/pi/rootfs.sh). */
  rootfsTar: string;
  /** Where the root is unpacked (removed in close()). */
  workDir: string;
  tag: string;
}

/**
 * A Debian 12 root file system (standing in for Raspberry Pi OS Lite) booted
 * with systemd-nspawn, as these machines allow it: --register=no --keep-unit.
 * Its network is a namespace of ours with one veth pair to the host and no
 * route anywhere else, so everything installed in it came from the files we
 * copied in, and the only server it can reach is one we bind on hostAddr.
 * Commands run inside through nsenter into the container's init.
 */
export class PiContainer {
  readonly root: string;
  readonly netns: string;
  readonly hostAddr: string;
  readonly guestAddr: string;
  readonly logFile: string;
  readonly #link: string;
  #nspawn: ChildProcess | null = null;
  #leader = 0;
  /** The leader's start time when it was found: a pid can be reused, the pair cannot. */
  #leaderStart: string | null = null;
  #exited: Promise<number | null> | null = null;

  private constructor(opts: PiContainerOptions, subnet: number) {
    this.root = path.join(opts.workDir, 'root');
    this.logFile = path.join(opts.workDir, 'console.log');
    this.netns = `hp-pi-${opts.tag}`;
    this.#link = `hppi${opts.tag}`;
    this.hostAddr = `10.233.${subnet}.1`;
    this.guestAddr = `10.233.${subnet}.2`;
  }

  /** Why a container cannot be booted here, or null when it can. */
  static async unavailableReason(): Promise<string | null> {
    if (process.getuid?.() !== 0) return 'systemd-nspawn needs root';
    for (const tool of ['systemd-nspawn', 'mmdebstrap', 'nsenter']) {
      try {
        await run('sh', ['-c', `command -v ${tool}`]);
      } catch {
        return `${tool} is not installed (scripts/setup.sh installs it)`;
      }
    }
    const probe = `hp-pi-probe-${process.pid}`;
    try {
      await ip('netns', 'add', probe);
      await ip('netns', 'del', probe);
    } catch (error) {
      return `ip netns is not permitted here (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
    }
    return null;
  }

  static async unpack(opts: PiContainerOptions): Promise<PiContainer> {
    const used = (await ip('-br', 'addr')).stdout;
    let subnet = process.pid % 250;
    for (let i = 0; i < 250 && used.includes(`10.233.${subnet}.`); i++) subnet = (subnet + 1) % 250;
    const c = new PiContainer(opts, subnet);
    fs.mkdirSync(c.root, { recursive: true });
    await run('tar', ['-xf', opts.rootfsTar, '-C', c.root], { timeout: 300_000 });
    await c.#network(subnet);
    return c;
  }

  async #network(subnet: number): Promise<void> {
    await ip('netns', 'add', this.netns);
    await ip('netns', 'exec', this.netns, 'ip', 'link', 'set', 'lo', 'up');
    await ip('link', 'add', `${this.#link}h`, 'type', 'veth', 'peer', 'name', `${this.#link}k`);
    await ip('link', 'set', `${this.#link}k`, 'netns', this.netns);
    await ip('addr', 'add', `${this.hostAddr}/30`, 'dev', `${this.#link}h`);
    await ip('link', 'set', `${this.#link}h`, 'up');
    await ip('netns', 'exec', this.netns, 'ip', 'addr', 'add', `10.233.${subnet}.2/30`, 'dev', `${this.#link}k`);
    await ip('netns', 'exec', this.netns, 'ip', 'link', 'set', `${this.#link}k`, 'up');
  }

  /** Copies a host file into the root (before or after boot: it is the same directory). */
  put(hostPath: string, guestPath: string, mode?: number): void {
    const to = path.join(this.root, guestPath);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.cpSync(hostPath, to, { recursive: true });
    if (mode !== undefined) fs.chmodSync(to, mode);
  }

  write(guestPath: string, text: string, mode = 0o644): void {
    const to = path.join(this.root, guestPath);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.writeFileSync(to, text, { mode });
  }

  read(guestPath: string): string {
    return fs.readFileSync(path.join(this.root, guestPath), 'utf8');
  }

  exists(guestPath: string): boolean {
    return fs.existsSync(path.join(this.root, guestPath));
  }

  /** Boots the container's systemd and waits until it reports running (or degraded). */
  async boot(timeoutMs: number, kernelArgs: string[] = []): Promise<void> {
    const log = fs.openSync(this.logFile, 'a');
    const nspawn = spawn(
      'systemd-nspawn',
      ['--quiet', '--register=no', '--keep-unit', '--boot', `--network-namespace-path=/run/netns/${this.netns}`, '--console=read-only', `--machine=${this.netns}`, '-D', this.root, ...kernelArgs],
      { stdio: ['ignore', log, log] },
    );
    fs.closeSync(log);
    this.#nspawn = nspawn;
    this.#exited = new Promise((resolve) => nspawn.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (nspawn.exitCode !== null) throw new Error(`systemd-nspawn exited ${nspawn.exitCode}: ${this.consoleTail()}`);
      if (!this.#leader) {
        this.#leader = await this.#findLeader(nspawn.pid!);
        this.#leaderStart = this.#leader ? startTime(this.#leader) : null;
      }
      if (this.#leader) {
        const state = await this.sh('systemctl is-system-running 2>/dev/null || true', 10_000).catch(() => ({ stdout: '' }));
        if (/^(running|degraded)/.test(state.stdout.trim())) return;
      }
      await sleep(500);
    }
    throw new Error(`the container did not finish booting in ${timeoutMs} ms: ${this.consoleTail()}`);
  }

  /** The container's init: nspawn's child whose root is ours. */
  async #findLeader(nspawnPid: number): Promise<number> {
    const kids = fs.readFileSync(`/proc/${nspawnPid}/task/${nspawnPid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    for (const pid of kids) {
      try {
        if (fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'systemd') return pid;
      } catch {
        /* gone */
      }
    }
    return 0;
  }

  get leaderPid(): number {
    return this.#leader;
  }

  /** Runs a shell command inside the booted container as root. Rejects on a non-zero exit. */
  async sh(command: string, timeoutMs = 60_000): Promise<{ stdout: string; stderr: string }> {
    if (!this.#leader) throw new Error('the container is not booted');
    return run('nsenter', ['-t', String(this.#leader), '-m', '-u', '-i', '-n', '-p', '--', '/usr/bin/env', '-i', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'LANG=C.UTF-8', '/bin/sh', '-c', command], {
      timeout: timeoutMs,
      maxBuffer: 32 * 1024 * 1024,
    });
  }

  /** Like sh(), but resolves with the exit code instead of rejecting. */
  async try(command: string, timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const r = await this.sh(command, timeoutMs);
      return { code: 0, ...r };
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(error) };
    }
  }

  /** Polls a unit property until it satisfies ok(); returns the last value. */
  async waitFor(what: string, probe: () => Promise<string>, ok: (v: string) => boolean, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      last = (await probe().catch((e: unknown) => String(e))).trim();
      if (ok(last)) return last;
      await sleep(500);
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last})`);
  }

  unit(name: string, props: string): Promise<string> {
    return this.sh(`systemctl show -p ${props} --value ${name}`).then((r) => r.stdout.trim());
  }

  consoleTail(lines = 40): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no console log)';
    }
  }

  /**
   * An nspawn that had to be killed (or died) can leave the container's init behind, reparented to the
   * host's: after two CI runs an arm64 systemd was still running under qemu, its root deleted. Killing a
   * pid namespace's init ends everything in it. Only the very process found at boot is killed (same pid,
   * same start time), never a later one that got its number; its root cannot be compared, because seen
   * from here it reads "/ (deleted)".
   */
  async #killOrphanedLeader(): Promise<void> {
    const pid = this.#leader;
    if (!pid || this.#leaderStart === null || startTime(pid) !== this.#leaderStart) return;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      return; // gone meanwhile
    }
    process.stderr.write(`PiContainer ${this.netns}: systemd-nspawn left the container's init (pid ${pid}) running; killed it\n`);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && startTime(pid) === this.#leaderStart) await sleep(100);
  }

  /** Powers the container off (SIGTERM to nspawn = orderly shutdown), then removes it all. */
  async close(): Promise<void> {
    const n = this.#nspawn;
    if (n && n.exitCode === null) {
      n.kill('SIGTERM');
      const done = await Promise.race([this.#exited, sleep(30_000).then(() => 'timeout' as const)]);
      if (done === 'timeout') {
        n.kill('SIGKILL');
        await Promise.race([this.#exited, sleep(10_000)]);
      }
    }
    await this.#killOrphanedLeader();
    await ip('link', 'del', `${this.#link}h`).catch(() => undefined);
    await ip('netns', 'del', this.netns).catch(() => undefined);
    fs.rmSync(path.dirname(this.root), { recursive: true, force: true });
  }
}

/** Field 22 of /proc/<pid>/stat, the start time in clock ticks since boot; null once the process is gone. */
function startTime(pid: number): string | null {
  return statFields(pid)?.[19] ?? null;
}
