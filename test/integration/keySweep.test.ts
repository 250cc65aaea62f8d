import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../relay/src/db/openDatabase.ts';
import { TerminalKeyRepo } from '../../relay/src/db/TerminalKeyRepo.ts';
import { RawPeer, startTestRelay } from '../support/relayHarness.ts';
import { enrolTerminals, signedHello } from '../support/terminalKeys.ts';

/**
 * Key checks left the heartbeat's path (issue 15): a relay-wide sweep
 * re-reads connected terminals' keys instead. A revocation written to the
 * database by another process (the CLI) still drops the terminal, within one
 * sweep, while a terminal whose key is fine keeps heartbeating.
 */
let relay: Awaited<ReturnType<typeof startTestRelay>>;
beforeAll(async () => {
  relay = await startTestRelay({ keySweepMs: 300 });
});
afterAll(async () => {
  await relay?.close();
});

describe('key sweep', () => {
  it('drops a terminal revoked behind the relay\'s back, keeps the others', async () => {
    const keys = enrolTerminals(relay.relay, ['XC-SCH-001', 'XC-HT-003']);
    const ws = `${relay.url.replace('http', 'ws')}/ws/terminal`;
    const revoked = await RawPeer.open(ws);
    const kept = await RawPeer.open(ws);
    expect((await signedHello(revoked, 1, 'XC-SCH-001', keys.get('XC-SCH-001')!))['ok']).toBe(true);
    expect((await signedHello(kept, 1, 'XC-HT-003', keys.get('XC-HT-003')!))['ok']).toBe(true);

    // Another process (the CLI) revokes: its own connection to the SQLite file, no event reaches the relay.
    const db = openDatabase(path.join(relay.dir, 'relay.db'));
    try {
      expect(new TerminalKeyRepo({ db }).revoke('XC-SCH-001', Date.now())).toBe(true);
    } finally {
      db.close();
    }
    const closed = await revoked.waitClosed(5000);
    expect(closed.code).toBe(4003);
    expect(closed.reason).toBe('terminal_revoked');
    expect((await kept.request(2, 'heartbeat', { seq: 1, uptimeS: 1 }))['ok']).toBe(true);
    expect(kept.closed).toBeNull();
    kept.close();
  });
});
