import os from 'node:os';
import path from 'node:path';

export interface RelayConfig {
  /** HTTP/WebSocket listen address and port (0 = any free port, for tests). */
  host: string;
  port: number;
  /** SQLite file. */
  dbPath: string;
  /** mediasoup: address the WebRtcServers bind to, and the one announced in ICE candidates. */
  rtcListenIp: string;
  rtcAnnouncedAddress: string | undefined;
  /** First UDP/TCP port for the per-worker WebRtcServers; 0 lets each pick a free port. */
  rtcBasePort: number;
  numWorkers: number;
  /** A ringing call nobody answers ends as no_answer after this long. */
  ringTimeoutMs: number;
  /** Terminals heartbeat this often; 3 missed ones mean offline (tests shorten it). */
  heartbeatIntervalMs: number;
  /** Built console (Vite output); served at / when it exists. */
  consoleDir: string;
  /** Seed demo terminals and accounts at start-up. */
  demo: boolean;
  logLevel: string;
}

const here = path.dirname(new URL(import.meta.url).pathname);

export function defaultConfig(): RelayConfig {
  return {
    host: '127.0.0.1',
    port: 8080,
    dbPath: path.resolve(here, '../../.data/relay.db'),
    rtcListenIp: '127.0.0.1',
    rtcAnnouncedAddress: undefined,
    rtcBasePort: 40000,
    numWorkers: os.availableParallelism(),
    ringTimeoutMs: 120_000,
    heartbeatIntervalMs: 10_000,
    consoleDir: path.resolve(here, '../console/dist'),
    demo: false,
    logLevel: 'info',
  };
}

/** Reads HELPPOINT_* environment variables over the defaults. */
export function configFromEnv(env: NodeJS.ProcessEnv, base: RelayConfig = defaultConfig()): RelayConfig {
  const int = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
    return n;
  };
  return {
    ...base,
    host: env['HELPPOINT_HOST'] || base.host,
    port: int('HELPPOINT_PORT', base.port),
    dbPath: env['HELPPOINT_DB'] || base.dbPath,
    rtcListenIp: env['HELPPOINT_RTC_LISTEN_IP'] || base.rtcListenIp,
    rtcAnnouncedAddress: env['HELPPOINT_RTC_ANNOUNCED_ADDRESS'] || base.rtcAnnouncedAddress,
    rtcBasePort: int('HELPPOINT_RTC_BASE_PORT', base.rtcBasePort),
    numWorkers: Math.max(1, int('HELPPOINT_WORKERS', base.numWorkers)),
    ringTimeoutMs: int('HELPPOINT_RING_TIMEOUT_MS', base.ringTimeoutMs),
    heartbeatIntervalMs: Math.max(200, int('HELPPOINT_HEARTBEAT_MS', base.heartbeatIntervalMs)),
    consoleDir: env['HELPPOINT_CONSOLE_DIR'] || base.consoleDir,
    demo: env['HELPPOINT_DEMO'] === '1' || base.demo,
    logLevel: env['HELPPOINT_LOG_LEVEL'] || base.logLevel,
  };
}
