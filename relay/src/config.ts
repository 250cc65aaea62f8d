import os from 'node:os';
import path from 'node:path';
import { DEFAULT_LOGIN_LIMITS, type LoginLimits } from './trust/LoginGuard.ts';
import { federationFromEnv, type DistrictRoleConfig, type StationLinkConfig } from './district/districtConfig.ts';

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
  /** A ringing call nobody answers ends as no_answer (abandoned) after this long. */
  ringTimeoutMs: number;
  /** A ringing call is marked escalated after this long: supervisors get the louder alert. */
  escalateAfterMs: number;
  /** An answered call ends as max_duration after this long. */
  maxCallMs: number;
  /** Recordings and snapshots (under recordings/ and snapshots/); empty: a media/ folder beside the database. */
  mediaDir: string;
  /** Record every call's audio and video (ffmpeg must be installed). */
  recordCalls: boolean;
  /** The door switch opening while a terminal is idle rings a tamper call (above help calls); off: only the fleet alarm. */
  tamperCalls: boolean;
  /** Evidence files older than this many days are deleted (the call record keeps a note). */
  retentionDays: number;
  /** Optional map tile server of the station (…/{z}/{x}/{y}.png); empty: the offline schematic only. */
  mapTileUrl: string;
  /** Terminals heartbeat this often; 3 missed ones mean offline (tests shorten it). */
  heartbeatIntervalMs: number;
  /** Built console (Vite output); served at / when it exists. */
  consoleDir: string;
  /** Seed demo terminals and accounts at start-up. */
  demo: boolean;
  logLevel: string;
  /** Serve HTTPS/WSS with this PEM certificate (chain) and key; session cookies then carry Secure. */
  tls: { certFile: string; keyFile: string } | undefined;
  /** Failed sign-ins allowed per account and per address within the window. */
  loginLimits: LoginLimits;
  /** How long a terminal has to answer its connection's challenge. */
  challengeTtlMs: number;
  /** Online database backups (SQLite backup API); off when no directory is set. */
  backupDir: string | undefined;
  backupIntervalMin: number;
  backupKeep: number;
  /** District federation (issue 14): this station's link to its district, or this relay's district role. */
  federation: { station: StationLinkConfig | undefined; district: DistrictRoleConfig | undefined };
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
    escalateAfterMs: 20_000,
    maxCallMs: 30 * 60_000,
    mediaDir: '',
    recordCalls: true,
    tamperCalls: true,
    retentionDays: 30,
    mapTileUrl: '',
    heartbeatIntervalMs: 10_000,
    consoleDir: path.resolve(here, '../console/dist'),
    demo: false,
    logLevel: 'info',
    tls: undefined,
    loginLimits: DEFAULT_LOGIN_LIMITS,
    challengeTtlMs: 30_000,
    backupDir: undefined,
    backupIntervalMin: 60,
    backupKeep: 48,
    federation: { station: undefined, district: undefined },
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
    escalateAfterMs: int('HELPPOINT_ESCALATE_AFTER_MS', base.escalateAfterMs),
    maxCallMs: int('HELPPOINT_MAX_CALL_MS', base.maxCallMs),
    mediaDir: env['HELPPOINT_MEDIA_DIR'] || base.mediaDir,
    recordCalls: env['HELPPOINT_RECORD'] === undefined ? base.recordCalls : env['HELPPOINT_RECORD'] === '1',
    tamperCalls: env['HELPPOINT_TAMPER_CALLS'] === undefined ? base.tamperCalls : env['HELPPOINT_TAMPER_CALLS'] === '1',
    retentionDays: int('HELPPOINT_RETENTION_DAYS', base.retentionDays),
    mapTileUrl: env['HELPPOINT_MAP_TILE_URL'] ?? base.mapTileUrl,
    heartbeatIntervalMs: Math.max(200, int('HELPPOINT_HEARTBEAT_MS', base.heartbeatIntervalMs)),
    consoleDir: env['HELPPOINT_CONSOLE_DIR'] || base.consoleDir,
    demo: env['HELPPOINT_DEMO'] === '1' || base.demo,
    logLevel: env['HELPPOINT_LOG_LEVEL'] || base.logLevel,
    tls: tlsFromEnv(env) ?? base.tls,
    loginLimits: base.loginLimits,
    challengeTtlMs: int('HELPPOINT_CHALLENGE_TTL_MS', base.challengeTtlMs),
    backupDir: env['HELPPOINT_BACKUP_DIR'] || base.backupDir,
    backupIntervalMin: Math.max(1, int('HELPPOINT_BACKUP_INTERVAL_MIN', base.backupIntervalMin)),
    backupKeep: Math.max(1, int('HELPPOINT_BACKUP_KEEP', base.backupKeep)),
    federation: env['HELPPOINT_ROLE'] || env['HELPPOINT_STATION_ID'] ? federationFromEnv(env) : base.federation,
  };
}

function tlsFromEnv(env: NodeJS.ProcessEnv): RelayConfig['tls'] {
  const certFile = env['HELPPOINT_TLS_CERT'];
  const keyFile = env['HELPPOINT_TLS_KEY'];
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) throw new Error('set both HELPPOINT_TLS_CERT and HELPPOINT_TLS_KEY, or neither');
  return { certFile, keyFile };
}
