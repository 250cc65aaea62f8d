import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { startRelay, startSimTerminal, type Launched } from '../launch.ts';
import { NatsCluster } from './NatsCluster.ts';

export interface DistrictDemo {
  districtUrl: string;
  stations: { id: string; url: string; terminals: { id: string; statusUrl: string }[] }[];
  stop(): Promise<void>;
}

/**
 * `npm run demo -- --district`: one NATS server with JetStream, two station
 * relays (a, b) with a simulated terminal each, and a district relay whose
 * console shows both. Ports: HELPPOINT_PORT (district) and the next two
 * (stations), NATS at HELPPOINT_NATS_BASE_PORT (default 14250).
 */
export async function startDistrictDemo(opts: { dataDir: string; port: number; children: Launched[]; onStop: (fn: () => Promise<void>) => void }): Promise<DistrictDemo> {
  const dir = path.join(opts.dataDir, 'district');
  fs.mkdirSync(dir, { recursive: true });
  const keyFile = path.join(dir, 'district-key.pem');
  const pubFile = path.join(dir, 'district-pub.pem');
  if (!fs.existsSync(keyFile)) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    fs.writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    fs.writeFileSync(pubFile, publicKey.export({ type: 'spki', format: 'pem' }));
  }
  const stationIds = ['a', 'b'];
  const users = { district: { id: 'district', user: 'district', password: 'demo-district' }, stations: stationIds.map((id) => ({ id, user: `station-${id}`, password: `demo-${id}` })) };
  const natsBase = Number(process.env['HELPPOINT_NATS_BASE_PORT'] ?? 14250);
  // One node is enough to show the demo (and gentler on a laptop); the tests run the 3-node R3 cluster.
  const nats = await NatsCluster.start({ dir: path.join(dir, 'nats'), basePort: natsBase, nodes: 1, users });
  opts.onStop(() => nats.stop());
  const natsEnv = { HELPPOINT_NATS_URLS: nats.urls.join(','), HELPPOINT_NATS_REPLICAS: '1' };
  const rtcBase = Number(process.env['HELPPOINT_RTC_BASE_PORT'] ?? 41700);
  const district = await startRelay({
    name: 'relay-district',
    logDir: dir,
    dbPath: path.join(dir, 'district.db'),
    port: opts.port,
    env: { ...natsEnv, HELPPOINT_ROLE: 'district', HELPPOINT_NATS_USER: 'district', HELPPOINT_NATS_PASSWORD: 'demo-district', HELPPOINT_DISTRICT_KEY_FILE: keyFile, HELPPOINT_RTC_BASE_PORT: String(rtcBase), HELPPOINT_WORKERS: '1' },
  });
  opts.children.push(district);
  const stations: DistrictDemo['stations'] = [];
  for (const [i, id] of stationIds.entries()) {
    const relay = await startRelay({
      name: `relay-${id}`,
      logDir: dir,
      dbPath: path.join(dir, `station-${id}.db`),
      port: opts.port + 1 + i,
      env: {
        ...natsEnv,
        HELPPOINT_STATION_ID: id,
        HELPPOINT_STATION_NAME: id === 'a' ? '什刹海派出所 Shichahai station' : '新街口派出所 Xinjiekou station',
        HELPPOINT_NATS_USER: `station-${id}`,
        HELPPOINT_NATS_PASSWORD: `demo-${id}`,
        HELPPOINT_DISTRICT_PUBLIC_KEY_FILE: pubFile,
        HELPPOINT_RTC_BASE_PORT: String(rtcBase + 10 * (i + 1)),
        HELPPOINT_WORKERS: '1',
        HELPPOINT_RECORD: '0',
      },
    });
    opts.children.push(relay);
    const url = relay.ready['url']!;
    const terminalId = id === 'a' ? 'XC-SCH-001' : 'XC-HT-003';
    const t = await startSimTerminal({ relayUrl: url, terminalId, logDir: path.join(dir, `kiosk-${id}`), statusPort: opts.port + 5 + i });
    opts.children.push(t);
    stations.push({ id, url, terminals: [{ id: terminalId, statusUrl: `${t.ready['statusUrl']}/status` }] });
  }
  return { districtUrl: district.ready['url']!, stations, stop: () => nats.stop() };
}
