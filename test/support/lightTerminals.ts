import pino from 'pino';
import { SignalClient } from '../../kiosk/src/net/SignalClient.ts';
import { openDatabase } from '../../relay/src/db/openDatabase.ts';
import { TerminalRepo } from '../../relay/src/db/TerminalRepo.ts';
import { seedDemo } from '../../relay/src/db/demoData.ts';
import { TerminalKeyRepo } from '../../relay/src/db/TerminalKeyRepo.ts';
import { DeviceKey } from '../../kiosk/src/enrol/deviceKey.ts';

/** Location IDs XC-LT-0001… for signalling-only terminals in storm and soak tests. */
export const lightId = (i: number): string => `XC-LT-${String(i + 1).padStart(4, '0')}`;

/**
 * Registers `count` extra terminals (plus the demo data) in a relay database
 * before it starts, each enrolled with a fresh device key; returns the keys.
 */
export async function seedLightTerminals(dbPath: string, count: number): Promise<DeviceKey[]> {
  const db = openDatabase(dbPath);
  const keys = Array.from({ length: count }, () => DeviceKey.generate());
  try {
    await seedDemo(db);
    const repo = new TerminalRepo({ db });
    const keyRepo = new TerminalKeyRepo({ db });
    db.transaction(() => {
      for (let i = 0; i < count; i++) {
        repo.upsert({ id: lightId(i), kind: 'hutong', name: `测试点 ${i + 1}`, nameEn: `Test point ${i + 1}`, address: `西城区测试胡同${i + 1}号`, hutong: '测试胡同', latitude: 39.94, longitude: 116.39, notes: '' });
        keyRepo.setKey(lightId(i), keys[i]!.publicKey, keys[i]!.fingerprint, Date.now());
      }
    })();
  } finally {
    db.close();
  }
  return keys;
}

/**
 * Signalling-only terminals: the kiosk's real SignalClient (hello, heartbeats,
 * capped exponential backoff with jitter) without media, many per process.
 */
export function startLightTerminals(opts: { wsUrl: string; keys: DeviceKey[]; reconnectMaxMs?: number }): SignalClient[] {
  const logger = pino({ level: process.env['HELPPOINT_TEST_LOG'] ?? 'silent' });
  const clients: SignalClient[] = [];
  for (const [i, key] of opts.keys.entries()) {
    const c = new SignalClient({
      url: opts.wsUrl,
      terminalId: lightId(i),
      version: 'light',
      signHello: (terminalId, nonce) => key.signHello(terminalId, nonce),
      logger,
      backoff: { baseMs: 500, maxMs: opts.reconnectMaxMs ?? 10_000 },
    });
    c.start();
    clients.push(c);
  }
  return clients;
}
