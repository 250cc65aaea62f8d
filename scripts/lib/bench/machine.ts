import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');

/** What a benchmark ran on, so numbers from different days can be compared honestly. */
export interface MachineInfo {
  date: string;
  cpu: string;
  cores: number;
  memGiB: number;
  /** 1-minute load average when the run started: a busy shared machine shows here. */
  load1: number;
  kernel: string;
  node: string;
  mediasoup: string;
  commit: string;
}

function pkgVersion(name: string): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

function gitCommit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return dirty ? `${sha}+dirty` : sha;
  } catch {
    return '?';
  }
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    cpu: (cpus[0]?.model ?? 'cpu').replace(/\s+/g, ' ').trim(),
    cores: cpus.length,
    memGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    load1: Math.round(os.loadavg()[0]! * 100) / 100,
    kernel: os.release(),
    node: process.version,
    mediasoup: pkgVersion('mediasoup'),
    commit: gitCommit(),
  };
}

/** One line for the top of a table. */
export function machineLine(m: MachineInfo): string {
  return `${m.date} · ${m.cores} × ${m.cpu} · ${m.memGiB} GiB · load ${m.load1} at start · Linux ${m.kernel} · Node ${m.node} · mediasoup ${m.mediasoup} · commit ${m.commit}`;
}
