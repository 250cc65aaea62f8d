import fs from 'node:fs';
import os from 'node:os';
import { statFields } from '../../../relay/src/sfu/launcher/procStat.ts';

/** Clock ticks per second for /proc times; 100 on every Linux this runs on. */
const CLK_TCK = 100;
const PAGE_KIB = 4;

export interface ProcSnapshot {
  /** utime + stime, in seconds. */
  cpuS: number;
  rssKiB: number;
}


/** CPU time and resident memory of one process, or null when it has gone. */
export function procSnapshot(pid: number): ProcSnapshot | null {
  const f = statFields(pid);
  if (!f) return null;
  // After ")": state(0) ppid(1) … utime(11) stime(12) … rss pages(21)
  const cpuS = (Number(f[11]) + Number(f[12])) / CLK_TCK;
  let rssKiB = Number(f[21]) * PAGE_KIB;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    if (m) rssKiB = Number(m[1]);
  } catch {
    /* gone between the two reads: keep the stat value */
  }
  return { cpuS, rssKiB };
}

/** Direct children of a process (e.g. the relay's mediasoup workers, the kiosk's ffmpeg). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const f = statFields(Number(name));
    if (f && Number(f[1]) === pid) out.push(Number(name));
  }
  return out;
}

export function commandName(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

/** A process and, optionally, its whole subtree summed (the kiosk with its ffmpeg). */
export function treeSnapshot(pid: number): ProcSnapshot | null {
  const own = procSnapshot(pid);
  if (!own) return null;
  const total = { ...own };
  for (const child of childPids(pid)) {
    const c = treeSnapshot(child);
    if (c) {
      total.cpuS += c.cpuS;
      total.rssKiB += c.rssKiB;
    }
  }
  return total;
}

export interface CpuWindow {
  /** CPU used over the window as a percentage of ONE core (200 % = two cores busy). */
  cpuPct: number;
  rssKiB: number;
  peakRssKiB: number;
  peakCpuPct: number;
  seconds: number;
}

/**
 * Samples a process (or its subtree) every `intervalMs` between start() and
 * stop(): average and peak CPU (per sample interval), last and peak RSS.
 */
export class ProcSampler {
  readonly #pid: number;
  readonly #tree: boolean;
  readonly #intervalMs: number;
  #timer: ReturnType<typeof setInterval> | null = null;
  #first: { at: number; snap: ProcSnapshot } | null = null;
  #prev: { at: number; snap: ProcSnapshot } | null = null;
  #peakCpu = 0;
  #peakRss = 0;
  #lastRss = 0;

  constructor(opts: { pid: number; tree?: boolean; intervalMs?: number }) {
    this.#pid = opts.pid;
    this.#tree = opts.tree ?? false;
    this.#intervalMs = opts.intervalMs ?? 500;
  }

  #snap(): ProcSnapshot | null {
    return this.#tree ? treeSnapshot(this.#pid) : procSnapshot(this.#pid);
  }

  #sample(): void {
    const snap = this.#snap();
    if (!snap) return;
    const at = performance.now();
    if (this.#prev && at > this.#prev.at) {
      const pct = ((snap.cpuS - this.#prev.snap.cpuS) / ((at - this.#prev.at) / 1000)) * 100;
      this.#peakCpu = Math.max(this.#peakCpu, pct);
    }
    this.#prev = { at, snap };
    this.#first ??= { at, snap };
    this.#lastRss = snap.rssKiB;
    this.#peakRss = Math.max(this.#peakRss, snap.rssKiB);
  }

  start(): this {
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), this.#intervalMs);
    this.#timer.unref?.();
    return this;
  }

  stop(): CpuWindow {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#sample();
    const first = this.#first;
    const last = this.#prev;
    const seconds = first && last ? (last.at - first.at) / 1000 : 0;
    const cpuPct = first && last && seconds > 0 ? ((last.snap.cpuS - first.snap.cpuS) / seconds) * 100 : Number.NaN;
    return { cpuPct, rssKiB: this.#lastRss, peakRssKiB: this.#peakRss, peakCpuPct: this.#peakCpu, seconds };
  }
}

/** The machine's total CPU busy share (all cores, 0..100 %) between two calls: how loud the neighbours are. */
export function machineBusy(): () => number {
  const read = () => os.cpus().reduce((acc, c) => ({ idle: acc.idle + c.times.idle, total: acc.total + c.times.user + c.times.nice + c.times.sys + c.times.irq + c.times.idle }), { idle: 0, total: 0 });
  const a = read();
  return () => {
    const b = read();
    const total = b.total - a.total;
    return total > 0 ? (1 - (b.idle - a.idle) / total) * 100 : Number.NaN;
  };
}

/** The kernel's count of UDP datagrams dropped because a socket's receive buffer was full (all sockets). */
export function udpReceiveBufferDrops(): number {
  try {
    const lines = fs.readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
    const names = lines[0]!.split(/\s+/);
    const values = lines[1]!.split(/\s+/);
    return Number(values[names.indexOf('RcvbufErrors')] ?? Number.NaN);
  } catch {
    return Number.NaN;
  }
}
