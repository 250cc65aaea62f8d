import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NatsCluster, type NatsUsers } from '../../scripts/lib/nats/NatsCluster.ts';
import type { RelayConfig } from '../../relay/src/config.ts';
import type { DistrictRoleConfig, StationLinkConfig } from '../../relay/src/district/districtConfig.ts';
import { startTestRelay } from './relayHarness.ts';
import { makeTestCa } from './testCa.ts';

/** The district's Ed25519 signing key (PKCS#8) and the public key stations are given (SPKI). */
export function districtKeys(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** NATS ports for tests: 14200..14229 (a cluster uses base .. base+22). */
export const TEST_NATS_BASE_PORT = Number(process.env['HELPPOINT_TEST_NATS_PORT'] ?? 14200);

export interface DistrictWorld {
  dir: string;
  nats: NatsCluster;
  users: NatsUsers;
  caFile: string;
  keys: { privateKeyPem: string; publicKeyPem: string };
  close(): Promise<void>;
}

/** A 3-node JetStream cluster with TLS (throwaway CA) and a NATS user per station plus the district. */
export async function startDistrictWorld(stations: string[], opts: { nodes?: number; basePort?: number } = {}): Promise<DistrictWorld> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-district-'));
  // nats.js verifies a server by its host name (an IP literal is checked as "localhost"), so clients use tls://localhost.
  // clientAuth too: the nodes present the same certificate to each other on their routes, which verify it.
  const ca = makeTestCa(dir, 'nats', 'DNS:localhost,IP:127.0.0.1', 'serverAuth,clientAuth');
  const users: NatsUsers = {
    district: { id: 'district', user: 'district', password: 'district-secret' },
    stations: stations.map((id) => ({ id, user: `station-${id}`, password: `secret-${id}` })),
  };
  const nats = await NatsCluster.start({ dir: path.join(dir, 'nats'), basePort: opts.basePort ?? TEST_NATS_BASE_PORT, nodes: opts.nodes ?? 3, users, tls: ca });
  return {
    dir,
    nats,
    users,
    caFile: ca.caFile,
    keys: districtKeys(),
    close: async () => {
      await nats.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function stationLink(world: DistrictWorld, station: string, servers = world.nats.urls, overrides: Partial<StationLinkConfig> = {}): StationLinkConfig {
  const u = world.users.stations.find((s) => s.id === station)!;
  return {
    nats: { servers, user: u.user, password: u.password, caFile: world.caFile },
    stationId: station,
    stationName: `派出所 ${station}`,
    publicUrl: '',
    districtPublicKeyPem: world.keys.publicKeyPem,
    presenceTtlMs: 6000,
    ...overrides,
  };
}

export function districtRole(world: DistrictWorld, overrides: Partial<DistrictRoleConfig> = {}): DistrictRoleConfig {
  return {
    nats: { servers: world.nats.urls, user: world.users.district.user, password: world.users.district.password, caFile: world.caFile },
    districtId: 'district',
    signingKeyPem: world.keys.privateKeyPem,
    escalateAfterMs: 1500,
    presenceTtlMs: 6000,
    replicas: 3,
    tokenTtlMs: 60_000,
    ...overrides,
  };
}

export async function startStationRelay(world: DistrictWorld, station: string, servers?: string[], overrides: Partial<RelayConfig> = {}) {
  return startTestRelay({ recordCalls: false, federation: { station: stationLink(world, station, servers), district: undefined }, ...overrides });
}

export async function startDistrictRelay(world: DistrictWorld, overrides: Partial<DistrictRoleConfig> = {}, relayOverrides: Partial<RelayConfig> = {}) {
  const r = await startTestRelay({ recordCalls: false, federation: { station: undefined, district: districtRole(world, overrides) }, ...relayOverrides });
  await r.relay.federation.district!.ready;
  return r;
}

export async function until<T>(what: string, pick: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await pick();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
