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
    // Every benchmark terminal connects from 127.0.0.1: the per-address caps (meant for one address
    // per terminal on the station network) are off here, the total cap stays.
    env: { HELPPOINT_DEMO: '0', HELPPOINT_WORKERS: String(opts.workers), HELPPOINT_LOG_LEVEL: 'info', ...UNCAPPED_LOOPBACK, ...opts.env },
  });
  const url = relay.ready['url']!;
  const pid = relay.child.pid!;
  return { relay, url, wsTerminalUrl: `${url.replace(/^http/, 'ws')}/ws/terminal`, pid, workerPids: childPids(pid).filter((p) => commandName(p).startsWith('mediasoup')) };
}

/** Env for a relay whose many terminals all share the loopback address (benchmarks, soak, storms). */
export const UNCAPPED_LOOPBACK = { HELPPOINT_MAX_HTTP_PER_ADDRESS: '0', HELPPOINT_MAX_TERMINALS_PER_ADDRESS: '0', HELPPOINT_AUTH_PER_MINUTE: '100000', HELPPOINT_MAX_CONNECTIONS: '30000' };

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
