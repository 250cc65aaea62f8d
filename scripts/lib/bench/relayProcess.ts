import { startRelay, type Launched } from '../launch.ts';
import { childPids, commandName } from './procStats.ts';

/** A relay child process for a benchmark, and the pids to sample (Node main + mediasoup workers). */
export interface BenchRelay {
  relay: Launched;
  url: string;
  wsTerminalUrl: string;
  pid: number;
  workerPids: number[];
}

export async function startBenchRelay(opts: { dir: string; dbPath: string; workers: number; port?: number; name?: string; env?: Record<string, string>; timeoutMs?: number }): Promise<BenchRelay> {
  const relay = await startRelay({
    logDir: opts.dir,
    dbPath: opts.dbPath,
    ...(opts.port ? { port: opts.port } : {}),
    ...(opts.name ? { name: opts.name } : {}),
    ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
    env: { HELPPOINT_DEMO: '0', HELPPOINT_WORKERS: String(opts.workers), HELPPOINT_LOG_LEVEL: 'info', ...opts.env },
  });
  const url = relay.ready['url']!;
  const pid = relay.child.pid!;
  return { relay, url, wsTerminalUrl: `${url.replace(/^http/, 'ws')}/ws/terminal`, pid, workerPids: childPids(pid).filter((p) => commandName(p).startsWith('mediasoup')) };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
