import { describe, expect, it } from 'vitest';
import { SupervisedProcess } from './SupervisedProcess.ts';
import type { ExitInfo } from './SupervisedProcess.ts';
import { waitUntil } from './testing/waitUntil.ts';

const node = process.execPath;

function nodeScript(source: string, opts: Partial<ConstructorParameters<typeof SupervisedProcess>[0]> = {}) {
  return new SupervisedProcess({ command: node, args: ['-e', source], name: 'test', ...opts });
}

const waitFor = (predicate: () => boolean, timeoutMs = 3000) => waitUntil(predicate, timeoutMs);

describe('SupervisedProcess', () => {
  it('forwards stdout and respawns after an unexpected exit, with growing delays', async () => {
    const proc = nodeScript("process.stdout.write('hi'); setTimeout(() => process.exit(3), 30)", {
      backoff: { initialMs: 50, maxMs: 1000, jitter: 0 },
    });
    const out: string[] = [];
    const exits: ExitInfo[] = [];
    const delays: number[] = [];
    proc.on('stdout', (c) => out.push(c.toString()));
    proc.on('exit', (e) => exits.push(e));
    proc.on('restart-scheduled', (d) => delays.push(d));
    await proc.start();
    await waitFor(() => proc.spawnCount >= 3);
    await proc.stop();
    expect(out.filter((s) => s === 'hi').length).toBeGreaterThanOrEqual(2);
    expect(exits[0]).toMatchObject({ code: 3, expected: false });
    expect(delays.slice(0, 2)).toEqual([50, 100]);
  });

  it('stop escalates to SIGKILL when the child ignores SIGTERM, and does not restart it', async () => {
    const proc = nodeScript(
      "process.on('SIGTERM', () => {}); process.stdout.write('ready'); setInterval(() => {}, 1000)",
      { killTimeoutMs: 200 },
    );
    const exits: ExitInfo[] = [];
    proc.on('exit', (e) => exits.push(e));
    let ready = false;
    proc.on('stdout', () => (ready = true));
    await proc.start();
    await waitFor(() => ready);
    const t0 = Date.now();
    await proc.stop();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(180);
    expect(exits).toEqual([expect.objectContaining({ signal: 'SIGKILL', expected: true })]);
    expect(proc.running).toBe(false);
    await new Promise((r) => setTimeout(r, 100));
    expect(proc.spawnCount).toBe(1);
    await proc.stop();
  });

  it('a child that honours SIGTERM stops promptly', async () => {
    const proc = nodeScript('setInterval(() => {}, 1000)', { killTimeoutMs: 5000 });
    await proc.start();
    const t0 = Date.now();
    await proc.stop();
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('without autoRestart it stays down until ensureRunning after the backoff delay', async () => {
    const proc = nodeScript('process.exit(1)', { autoRestart: false, backoff: { initialMs: 150, jitter: 0 } });
    await proc.start();
    await waitFor(() => !proc.running);
    expect(proc.ensureRunning()).toBe(false);
    await new Promise((r) => setTimeout(r, 200));
    expect(proc.spawnCount).toBe(1);
    expect(proc.ensureRunning()).toBe(true);
    expect(proc.spawnCount).toBe(2);
    await proc.stop();
    expect(proc.ensureRunning()).toBe(false);
  });

  it('keeps the tail of stderr for the exit report', async () => {
    const proc = nodeScript("console.error('No such device'); process.exit(1)", { autoRestart: false });
    const exit = new Promise<ExitInfo>((resolve) => proc.once('exit', resolve));
    await proc.start();
    expect((await exit).stderrTail).toContain('No such device');
    await proc.stop();
  });

  it('start rejects when the command does not exist', async () => {
    const proc = new SupervisedProcess({ command: '/nonexistent/ffmpeg', args: [], name: 'missing' });
    await expect(proc.start()).rejects.toThrow(/cannot start/);
    await new Promise((r) => setTimeout(r, 50));
    expect(proc.spawnCount).toBe(1);
    expect(proc.running).toBe(false);
  });

  it('feeds stdin', async () => {
    const proc = nodeScript("process.stdin.on('data', (d) => process.stdout.write(d.toString().toUpperCase()))", {
      stdin: true,
    });
    let out = '';
    proc.on('stdout', (c) => (out += c.toString()));
    await proc.start();
    expect(proc.writeStdin(new TextEncoder().encode('abc'))).toBe(true);
    await waitFor(() => out === 'ABC');
    await proc.stop();
    expect(proc.writeStdin(new Uint8Array(1))).toBe(false);
  });
});
