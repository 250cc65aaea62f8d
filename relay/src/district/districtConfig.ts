import fs from 'node:fs';

/** How a relay reaches NATS (either role). */
export interface NatsLinkConfig {
  servers: string[];
  user: string;
  password: string;
  /** CA that signed the NATS servers' certificates; set for tls:// servers. */
  caFile: string | undefined;
}

/** A station relay that reports to a district (issue 14). */
export interface StationLinkConfig {
  nats: NatsLinkConfig;
  stationId: string;
  stationName: string;
  /** Where district consoles reach this relay for a call's media (its https:// URL). */
  publicUrl: string;
  /** The district's Ed25519 public key (SPKI PEM): tokens it signed are what district officers show. */
  districtPublicKeyPem: string;
  /** The presence bucket's TTL; entries are refreshed every third of it. */
  presenceTtlMs: number;
}

/** A relay in the district role: sees every station, rings its own desk for unanswered calls. */
export interface DistrictRoleConfig {
  nats: NatsLinkConfig;
  districtId: string;
  /** Ed25519 private key (PKCS#8 PEM) that signs district officers' tokens. */
  signingKeyPem: string;
  /** A call still unanswered at its station this long after it began rings the district desk too. */
  escalateAfterMs: number;
  presenceTtlMs: number;
  /** JetStream replicas of the bucket and stream (3 on a cluster, 1 on a single demo node). */
  replicas: number;
  /** How long a district token is valid. */
  tokenTtlMs: number;
}

export const DEFAULT_DISTRICT_ESCALATE_MS = 30_000;
export const DEFAULT_PRESENCE_TTL_MS = 30_000;

/**
 * HELPPOINT_ROLE=district with HELPPOINT_DISTRICT_* makes a district relay;
 * HELPPOINT_STATION_ID with HELPPOINT_NATS_* makes a station that reports to
 * one. Neither: a station on its own, as before.
 */
export function federationFromEnv(env: NodeJS.ProcessEnv): { station: StationLinkConfig | undefined; district: DistrictRoleConfig | undefined } {
  const role = env['HELPPOINT_ROLE'] || 'station';
  if (role !== 'station' && role !== 'district') throw new Error(`HELPPOINT_ROLE must be station or district, got "${role}"`);
  const servers = (env['HELPPOINT_NATS_URLS'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const ms = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 100) throw new Error(`${name} must be an integer of at least 100 (ms), got "${raw}"`);
    return n;
  };
  const nats = (): NatsLinkConfig => {
    if (!servers.length) throw new Error('HELPPOINT_NATS_URLS is required for district federation');
    return { servers, user: env['HELPPOINT_NATS_USER'] ?? '', password: env['HELPPOINT_NATS_PASSWORD'] ?? '', caFile: env['HELPPOINT_NATS_CA'] || undefined };
  };
  const pem = (name: string): string => {
    const file = env[name];
    if (!file) throw new Error(`${name} is required`);
    return fs.readFileSync(file, 'utf8');
  };
  const presenceTtlMs = ms('HELPPOINT_PRESENCE_TTL_MS', DEFAULT_PRESENCE_TTL_MS);
  if (role === 'district') {
    return {
      station: undefined,
      district: {
        nats: nats(),
        districtId: env['HELPPOINT_DISTRICT_ID'] || 'district',
        signingKeyPem: pem('HELPPOINT_DISTRICT_KEY_FILE'),
        escalateAfterMs: ms('HELPPOINT_DISTRICT_ESCALATE_MS', DEFAULT_DISTRICT_ESCALATE_MS),
        presenceTtlMs,
        replicas: Number(env['HELPPOINT_NATS_REPLICAS'] || 3),
        tokenTtlMs: ms('HELPPOINT_DISTRICT_TOKEN_TTL_MS', 5 * 60_000),
      },
    };
  }
  const stationId = env['HELPPOINT_STATION_ID'];
  if (!stationId) return { station: undefined, district: undefined };
  return {
    station: {
      nats: nats(),
      stationId,
      stationName: env['HELPPOINT_STATION_NAME'] || stationId,
      publicUrl: env['HELPPOINT_PUBLIC_URL'] ?? '',
      districtPublicKeyPem: pem('HELPPOINT_DISTRICT_PUBLIC_KEY_FILE'),
      presenceTtlMs,
    },
    district: undefined,
  };
}
