import os from 'node:os';
import path from 'node:path';
import { federationFromEnv, type DistrictRoleConfig, type StationLinkConfig } from './district/districtConfig.ts';
import { DEFAULT_LOGIN_LIMITS, type LoginLimits } from './security/LoginThrottle.ts';
import { DEFAULT_CONNECTION_CAPS, SERVER_TIMEOUTS, type ConnectionCaps, type ServerTimeouts } from './security/ConnectionGuard.ts';
import { DEFAULT_TERMINAL_LIMITS, type TerminalLimits } from './security/TerminalMessageLimits.ts';
import { DEFAULT_ANONYMOUS_AUDIT_LIMITS, type AnonymousAuditLimits } from './security/ThrottledAuditRepo.ts';
import type { UploadPace } from './updates/uploadPace.ts';

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
  /** How often connected terminals' keys are re-checked against the database (CLI revocations by another process). */
  keySweepMs: number;
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
  /** Per-address socket caps for HTTP and each WebSocket gateway (0 = no cap; benchmarks with thousands of loopback terminals switch them off). */
  connectionCaps: ConnectionCaps;
  /** Header, request, idle and keep-alive timeouts of the HTTP server (tests shorten them). */
  serverTimeouts: ServerTimeouts;
  /** Browser origins besides the relay's own that may open the console socket. */
  allowedOrigins: string[];
  /** /metrics needs `Authorization: Bearer <token>` when set; empty: only from the loopback address. */
  metricsToken: string;
  /** Requests per address per minute on sign-in and enrolment. */
  authPerMinute: number;
  /** Audit and self-test rows older than these many days are deleted. */
  auditRetentionDays: number;
  selfTestRetentionDays: number;
  /** Recording stops (and an alert is raised) when the media disk has less free space than this. */
  minFreeDiskBytes: number;
  /** Per-terminal message budgets and sanity bounds. */
  terminalLimits: TerminalLimits;
  /** Snapshots one call may keep. */
  snapshotsPerCall: number;
  /** Audit rows anonymous actors may cause per address and in all, per window. */
  anonymousAuditLimits: AnonymousAuditLimits;
  /** Dispatch (issue 13): see relay/src/dispatch/. */
  dispatch: DispatchConfig;
  /**
   * Kiosk packages (issue 10): the largest .deb an admin may upload, how long a terminal's download
   * link lasts, and the slowest an upload may come in (uploadPace.ts: it gets the time its size needs at that pace).
   */
  updates: { maxPackageBytes: number; downloadTokenTtlMs: number; uploadPace: UploadPace };
}

export interface DispatchConfig {
  /** GeoJSON FeatureCollection of LineStrings (the station's alleys); empty: straight line × detourFactor. The demo uses the shipped Shichahai network. */
  alleyNetworkFile: string;
  /** Walking distance ≈ straight line × this, when there is no network (1.4: hutongs rarely run the way you go). */
  detourFactor: number;
  escalateAfterMs: number;
  dispatchAfterEndMs: number;
  positionRetentionMs: number;
  positionMinIntervalMs: number;
  maxSpeedKmh: number;
  /** Press → someone on scene; the report counts calls within it. */
  responseTargetMs: number;
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
    keySweepMs: 30_000,
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
    connectionCaps: DEFAULT_CONNECTION_CAPS,
    serverTimeouts: SERVER_TIMEOUTS,
    allowedOrigins: [],
    metricsToken: '',
    authPerMinute: 30,
    auditRetentionDays: 365,
    selfTestRetentionDays: 90,
    minFreeDiskBytes: 512 * 1024 * 1024,
    terminalLimits: DEFAULT_TERMINAL_LIMITS,
    snapshotsPerCall: 30,
    anonymousAuditLimits: DEFAULT_ANONYMOUS_AUDIT_LIMITS,
    dispatch: {
      alleyNetworkFile: '',
      detourFactor: 1.4,
      escalateAfterMs: 60_000,
      dispatchAfterEndMs: 30 * 60_000,
      positionRetentionMs: 7 * 86_400_000,
      positionMinIntervalMs: 2_000,
      maxSpeedKmh: 120,
      responseTargetMs: 6 * 60_000,
    },
    // A kiosk .deb with its own Node and node_modules is ~60-90 MiB; 200 MiB leaves room without letting an upload fill the disk.
    // 32 KiB/s (a 256 kbit/s link) judged per 30 s: 200 MiB may take up to 1 h 47 min.
    updates: { maxPackageBytes: 200 * 1024 * 1024, downloadTokenTtlMs: 30 * 60_000, uploadPace: { minBytesPerSec: 32 * 1024, windowMs: 30_000 } },
  };
}

/** The alley network shipped for the demo area (Shichahai). */
export const DEMO_ALLEY_NETWORK = path.resolve(here, 'dispatch/shichahai-alleys.geojson');

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
    connectionCaps: {
      httpPerAddress: int('HELPPOINT_MAX_HTTP_PER_ADDRESS', base.connectionCaps.httpPerAddress),
      terminalWsPerAddress: int('HELPPOINT_MAX_TERMINALS_PER_ADDRESS', base.connectionCaps.terminalWsPerAddress),
      consoleWsPerAddress: int('HELPPOINT_MAX_CONSOLES_PER_ADDRESS', base.connectionCaps.consoleWsPerAddress),
      total: int('HELPPOINT_MAX_CONNECTIONS', base.connectionCaps.total),
    },
    serverTimeouts: base.serverTimeouts,
    allowedOrigins: env['HELPPOINT_ALLOWED_ORIGINS'] ? env['HELPPOINT_ALLOWED_ORIGINS'].split(',').map((o) => o.trim()).filter(Boolean) : base.allowedOrigins,
    metricsToken: env['HELPPOINT_METRICS_TOKEN'] ?? base.metricsToken,
    authPerMinute: Math.max(1, int('HELPPOINT_AUTH_PER_MINUTE', base.authPerMinute)),
    auditRetentionDays: Math.max(1, int('HELPPOINT_AUDIT_RETENTION_DAYS', base.auditRetentionDays)),
    selfTestRetentionDays: Math.max(1, int('HELPPOINT_SELFTEST_RETENTION_DAYS', base.selfTestRetentionDays)),
    minFreeDiskBytes: int('HELPPOINT_MIN_FREE_DISK_MB', base.minFreeDiskBytes / 1048576) * 1048576,
    terminalLimits: { ...base.terminalLimits, lateDeliveriesPerHour: Math.max(1, int('HELPPOINT_LATE_PER_HOUR', base.terminalLimits.lateDeliveriesPerHour)) },
    snapshotsPerCall: Math.max(1, int('HELPPOINT_SNAPSHOTS_PER_CALL', base.snapshotsPerCall)),
    anonymousAuditLimits: base.anonymousAuditLimits,
    dispatch: dispatchFromEnv(env, base, int),
    updates: {
      maxPackageBytes: int('HELPPOINT_MAX_PACKAGE_MB', base.updates.maxPackageBytes / 1024 / 1024) * 1024 * 1024,
      downloadTokenTtlMs: base.updates.downloadTokenTtlMs,
      uploadPace: { ...base.updates.uploadPace, minBytesPerSec: Math.max(1, int('HELPPOINT_MIN_UPLOAD_KIB_S', base.updates.uploadPace.minBytesPerSec / 1024)) * 1024 },
    },
  };
}

function dispatchFromEnv(env: NodeJS.ProcessEnv, base: RelayConfig, int: (name: string, fallback: number) => number): DispatchConfig {
  const b = base.dispatch;
  const rawDetour = env['HELPPOINT_DETOUR_FACTOR'];
  const detour = rawDetour ? Number(rawDetour) : b.detourFactor;
  if (!Number.isFinite(detour) || detour < 1 || detour > 5) throw new Error(`HELPPOINT_DETOUR_FACTOR must be between 1 and 5, got "${rawDetour}"`);
  const demo = env['HELPPOINT_DEMO'] === '1' || base.demo;
  return {
    alleyNetworkFile: env['HELPPOINT_ALLEY_NETWORK'] ?? (b.alleyNetworkFile || (demo ? DEMO_ALLEY_NETWORK : '')),
    detourFactor: detour,
    escalateAfterMs: int('HELPPOINT_DISPATCH_ESCALATE_MS', b.escalateAfterMs),
    dispatchAfterEndMs: int('HELPPOINT_DISPATCH_AFTER_END_MS', b.dispatchAfterEndMs),
    positionRetentionMs: int('HELPPOINT_POSITION_RETENTION_HOURS', b.positionRetentionMs / 3_600_000) * 3_600_000,
    positionMinIntervalMs: int('HELPPOINT_POSITION_MIN_INTERVAL_MS', b.positionMinIntervalMs),
    maxSpeedKmh: Math.max(1, int('HELPPOINT_MAX_RESPONDER_SPEED_KMH', b.maxSpeedKmh)),
    responseTargetMs: Math.max(1, int('HELPPOINT_RESPONSE_TARGET_MIN', b.responseTargetMs / 60_000)) * 60_000,
  };
}

function tlsFromEnv(env: NodeJS.ProcessEnv): RelayConfig['tls'] {
  const certFile = env['HELPPOINT_TLS_CERT'];
  const keyFile = env['HELPPOINT_TLS_KEY'];
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) throw new Error('set both HELPPOINT_TLS_CERT and HELPPOINT_TLS_KEY, or neither');
  return { certFile, keyFile };
}
