import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProcessLauncher } from '../../relay/src/sfu/launcher/ProcessLauncher.ts';
import { eventually } from '../support/kioskStatus.ts';
import { parentOf, running } from '../support/procStat.ts';

/**
 * The relay's ffmpeg and ffprobe start from its process launcher, not from the
 * relay: input, output, exit codes and signals pass through it, the process's
 * parent is the launcher, and the launcher's death loses nothing it started.
 * (A whole recording through it: recorderSpare.test.ts.)
 */
const logger = pino({ level: process.env['HELPPOINT_TEST_LOG'] ?? 'silent' });
let dir: string;
const launchers: ProcessLauncher[] = [];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-launcher-'));
});
afterAll(() => {
  for (const l of launchers) l.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function readyLauncher(): Promise<ProcessLauncher> {
  const launcher = new ProcessLauncher({ logger });
  launchers.push(launcher);
  await eventually(async () => launcher.viaHelper || null, 10_000, 'launcher ready');
  return launcher;
}

function exitOf(child: { once(e: 'exit', l: (code: number | null, signal: NodeJS.Signals | null) => void): unknown }): Promise<[number | null, NodeJS.Signals | null]> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve([code, signal])));
}

describe('process launcher', () => {
  it('runs a process with its input and output, and its parent is the launcher, not the relay', async () => {
    const launcher = await readyLauncher();
    const child = launcher.spawn('sh', ['-c', 'read line; echo "got $line"; echo oops >&2; exit 3'], { stdin: true });
    const out: string[] = [];
    const err: string[] = [];
    child.stdout!.on('data', (d: Buffer) => out.push(d.toString()));
    child.stderr!.on('data', (d: Buffer) => err.push(d.toString()));
    const exited = exitOf(child);
    await eventually(async () => child.pid ?? null, 5_000, 'pid known');
    expect(parentOf(child.pid!)).not.toBe(process.pid);
    const drained = Promise.all([child.stdout!, child.stderr!].map((s) => new Promise((r) => s.once('end', r))));
    child.stdin!.end('hello\n');
    expect(await exited).toEqual([3, null]);
    await drained;
    expect(out.join('')).toBe('got hello\n');
    expect(err.join('')).toBe('oops\n');
    expect(child.exitCode).toBe(3);
  });

  it('passes signals on, reports a program that does not exist, and runs ffprobe-style commands to their end', async () => {
    const launcher = await readyLauncher();
    const sleeper = launcher.spawn('sleep', ['30'], { stdin: false });
    await eventually(async () => sleeper.pid ?? null, 5_000, 'pid known');
    const exited = exitOf(sleeper);
    expect(sleeper.kill('SIGTERM')).toBe(true);
    expect(await exited).toEqual([null, 'SIGTERM']);

    const missing = launcher.spawn(path.join(dir, 'no-such-program'), [], { stdin: false });
    const error = await new Promise<Error & { code?: string }>((resolve) => missing.once('error', resolve));
    expect(error.code).toBe('ENOENT');

    await expect(launcher.execFile('sh', ['-c', 'echo vp8'], { timeoutMs: 5_000 })).resolves.toEqual({ code: 0, signal: null, stdout: 'vp8\n' });
    // A command that hangs is ended at its timeout.
    const hung = await launcher.execFile('sleep', ['30'], { timeoutMs: 200 });
    expect(hung.signal).toBe('SIGTERM');
  });

  it('loses nothing when the launcher dies: what it started runs to its end, and a new launcher takes over', async () => {
    const launcher = await readyLauncher();
    const child = launcher.spawn('sh', ['-c', 'sleep 3; exit 0'], { stdin: false });
    // A spare ffmpeg's stand-in: waiting for input the relay can no longer send once the launcher is gone.
    const waiting = launcher.spawn('cat', [], { stdin: true });
    const long = launcher.spawn('sleep', ['30'], { stdin: false });
    await eventually(async () => (child.pid && waiting.pid && long.pid) ?? null, 5_000, 'pids known');
    const helper = parentOf(child.pid!);
    const exited = exitOf(child);
    const waitingExited = exitOf(waiting);
    process.kill(helper, 'SIGKILL');
    expect(await waitingExited).toEqual([null, 'SIGKILL']);
    expect(running(waiting.pid!)).toBe(false);
    // The other process outlives its launcher, and its end is still seen (by pid: its exit code went with the launcher).
    expect(running(child.pid!)).toBe(true);
    await exited;
    expect(running(child.pid!)).toBe(false);
    await eventually(async () => (launcher.viaHelper ? true : null), 10_000, 'new launcher');
    const next = launcher.spawn('sleep', ['0.5'], { stdin: false });
    await eventually(async () => next.pid ?? null, 5_000, 'pid known');
    expect(parentOf(next.pid!)).not.toBe(helper);
    await exitOf(next);
    // A signal to a process of the dead launcher still reaches it, though a new launcher is up.
    expect(running(long.pid!)).toBe(true);
    const longExited = exitOf(long);
    long.kill('SIGTERM');
    await longExited;
    expect(running(long.pid!)).toBe(false);
  });
});
