/**
 * How a simulated terminal is known to the relay and proves who it is: the
 * rows it needs in SQLite, and the connect + hello exchange. Everything about
 * terminal identity in the benchmarks lives in this one module, so that when
 * hello gains device-key authentication only this file changes.
 */
import { createHash } from 'node:crypto';
import WebSocket from 'ws';
import { openDatabase } from '../../../relay/src/db/openDatabase.ts';
import { TerminalRepo } from '../../../relay/src/db/TerminalRepo.ts';
import { TerminalKeyRepo } from '../../../relay/src/db/TerminalKeyRepo.ts';
import { DeviceKey } from '../../../kiosk/src/enrol/deviceKey.ts';

export const SIM_VERSION = 'bench-sim';

/** Location IDs for N synthetic terminals: BENCH-00001 … */
export function simTerminalIds(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `BENCH-${String(i + 1).padStart(5, '0')}`);
}

/**
 * Each simulated terminal's device key, derived from its ID: the process that
 * registers the fleet and the processes that run it agree without passing
 * thousands of keys around. (Real terminals make random keys at enrolment.)
 */
const keyCache = new Map<string, DeviceKey>();
export function simTerminalKey(terminalId: string): DeviceKey {
  let key = keyCache.get(terminalId);
  if (!key) keyCache.set(terminalId, (key = DeviceKey.fromSeed(createHash('sha256').update(`helppoint-bench-sim\n${terminalId}`).digest())));
  return key;
}

/** Registers and enrols the terminals in the relay's SQLite file before the relay starts. */
export function registerSimTerminals(dbPath: string, ids: readonly string[]): void {
  const db = openDatabase(dbPath);
  try {
    const repo = new TerminalRepo({ db });
    const keys = new TerminalKeyRepo({ db });
    db.transaction(() => {
      ids.forEach((id, i) => {
        const key = simTerminalKey(id);
        repo.upsert({
          id,
          name: `压测终端 ${i + 1}`,
          nameEn: `Bench terminal ${i + 1}`,
          address: `北京市西城区测试胡同${i + 1}号`,
          latitude: 39.94 + (i % 100) * 1e-4,
          longitude: 116.38 + Math.floor(i / 100) * 1e-4,
          kind: 'hutong',
        });
        keys.setKey(id, key.publicKey, key.fingerprint, Date.now());
      });
    })();
  } finally {
    db.close();
  }
}

export interface HelloAccepted {
  ws: WebSocket;
  heartbeatIntervalMs: number;
}

/**
 * Opens /ws/terminal, waits for the relay's challenge and says hello as
 * `terminalId` with the challenge signed by the terminal's key. Resolves once
 * the relay accepted (the socket then carries request id 2 onwards); rejects,
 * with the socket closed, on refusal, error or timeout.
 */
export function connectAndHello(url: string, terminalId: string, timeoutMs = 10_000): Promise<HelloAccepted> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { handshakeTimeout: timeoutMs, perMessageDeflate: false });
    const fail = (why: string) => {
      clearTimeout(timer);
      ws.removeAllListeners('message');
      ws.terminate();
      reject(new Error(why));
    };
    const timer = setTimeout(() => fail(`no hello answer within ${timeoutMs} ms`), timeoutMs);
    ws.on('error', (err) => fail(err.message));
    ws.once('close', (code) => fail(`closed (${code}) before hello was accepted`));
    const onMessage = (raw: WebSocket.RawData) => {
      let frame: { id?: number; type?: string; ok?: boolean; data?: { heartbeatIntervalMs?: number; nonce?: string }; error?: { code?: string } };
      try {
        frame = JSON.parse(raw.toString()) as typeof frame;
      } catch {
        return fail('relay frame is not JSON');
      }
      if (frame.type === 'auth.challenge' && typeof frame.data?.nonce === 'string') {
        const signature = simTerminalKey(terminalId).signHello(terminalId, frame.data.nonce);
        ws.send(JSON.stringify({ id: 1, type: 'hello', data: { terminalId, version: SIM_VERSION, nonce: frame.data.nonce, signature } }));
        return;
      }
      clearTimeout(timer);
      ws.off('message', onMessage);
      if (frame.id !== 1 || frame.ok !== true) return fail(`hello refused: ${frame.error?.code ?? 'unexpected frame'}`);
      ws.removeAllListeners('error');
      ws.removeAllListeners('close');
      resolve({ ws, heartbeatIntervalMs: frame.data?.heartbeatIntervalMs ?? 10_000 });
    };
    ws.on('message', onMessage);
  });
}
