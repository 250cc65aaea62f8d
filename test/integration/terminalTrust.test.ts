import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceKey } from '../../kiosk/src/enrol/deviceKey.ts';
import { hashEnrolmentCode, newEnrolmentCode, normaliseEnrolmentCode } from '../../relay/src/trust/enrolmentCode.ts';
import { RawPeer, startTestRelay } from '../support/relayHarness.ts';
import { dbSnapshot, lastAudit } from '../support/dbSnapshot.ts';
import { challengeOf, enrolTerminals, signedHello } from '../support/terminalKeys.ts';
import { signIn as signInAt } from '../support/station.ts';

/**
 * Every way a terminal can be refused, with the proof that the refusal left
 * the database as it was (apart from its audit entry).
 */
const CHALLENGE_TTL_MS = 1000;
let relay: Awaited<ReturnType<typeof startTestRelay>>;
let wsBase: string;
let keys: Map<string, DeviceKey>;

beforeAll(async () => {
  relay = await startTestRelay({ challengeTtlMs: CHALLENGE_TTL_MS, loginLimits: { perAccount: 100, perAddress: 1000, windowMs: 60_000 } });
  wsBase = relay.url.replace('http', 'ws');
  keys = enrolTerminals(relay.relay, ['XC-SCH-001', 'XC-HT-003', 'XC-HT-006', 'XC-SCH-007']);
});
afterAll(async () => {
  await relay?.close();
});

const errorCode = (frame: Record<string, unknown>) => (frame['error'] as { code: string } | undefined)?.code;
const open = () => RawPeer.open(`${wsBase}/ws/terminal`);

const signIn = (username: string, password: string): Promise<string> => signInAt(relay.url, username, password);
async function api(method: string, path: string, body?: unknown, cookie?: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${relay.url}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(cookie ? { cookie } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
const apiCode = (r: { json: Record<string, unknown> }) => (r.json['error'] as { code: string } | undefined)?.code;

/** Runs `attack`, expects `code` on the wire, a refused audit entry, and no other change to the database. */
async function refusedWithoutChange(code: string, attack: () => Promise<string | undefined>): Promise<void> {
  const before = dbSnapshot(relay.relay.db);
  const auditBefore = relay.relay.trust.audit.count();
  expect(await attack()).toBe(code);
  expect(dbSnapshot(relay.relay.db)).toEqual(before);
  expect(relay.relay.trust.audit.count()).toBe(auditBefore + 1);
  const entry = lastAudit(relay.relay.db);
  expect(entry.outcome).toBe('refused');
  expect(JSON.parse(entry.detail!)).toMatchObject({ code });
}

describe('terminal hello: challenge–response', () => {
  it('the relay sends a fresh challenge on every connection; a correct signature gets in', async () => {
    const a = await open();
    const b = await open();
    const [na, nb] = [await challengeOf(a), await challengeOf(b)];
    expect(na).not.toBe(nb);
    const ok = await signedHello(a, 1, 'XC-SCH-001', keys.get('XC-SCH-001')!);
    expect(ok['ok']).toBe(true);
    expect(relay.relay.presence.isOnline('XC-SCH-001')).toBe(true);
    a.close();
    b.close();
  });

  it('forged: a signature by another key is bad_signature, and the socket is closed', async () => {
    const peer = await open();
    const mallory = DeviceKey.generate();
    await refusedWithoutChange('bad_signature', async () => errorCode(await signedHello(peer, 1, 'XC-HT-003', mallory)));
    expect((await peer.waitClosed()).code).toBe(4003);
    expect(relay.relay.presence.isOnline('XC-HT-003')).toBe(false);
  });

  it("forged: another enrolled terminal's key cannot speak for this one", async () => {
    const peer = await open();
    await refusedWithoutChange('bad_signature', async () => errorCode(await signedHello(peer, 1, 'XC-HT-003', keys.get('XC-SCH-001')!)));
  });

  it('forged: a signature made by the right key for another terminal ID is refused', async () => {
    const peer = await open();
    const nonce = await challengeOf(peer);
    const signature = keys.get('XC-HT-003')!.signHello('XC-SCH-001', nonce);
    await refusedWithoutChange('bad_signature', async () => errorCode(await peer.request(1, 'hello', { terminalId: 'XC-HT-003', version: 't', nonce, signature })));
  });

  it('replayed: a captured hello sent again on a new connection is challenge_replayed', async () => {
    const first = await open();
    const nonce = await challengeOf(first);
    const signature = keys.get('XC-SCH-007')!.signHello('XC-SCH-007', nonce);
    const captured = { terminalId: 'XC-SCH-007', version: 't', nonce, signature };
    expect((await first.request(1, 'hello', captured))['ok']).toBe(true);
    first.close();
    await first.waitClosed();
    const attacker = await open();
    await refusedWithoutChange('challenge_replayed', async () => errorCode(await attacker.request(1, 'hello', captured)));
    expect((await attacker.waitClosed()).code).toBe(4003);
  });

  it("mismatch: a made-up nonce, or another connection's nonce, is challenge_mismatch; that nonce is then spent", async () => {
    const peer = await open();
    const made = 'A'.repeat(43);
    await refusedWithoutChange('challenge_mismatch', async () =>
      errorCode(await peer.request(1, 'hello', { terminalId: 'XC-HT-003', version: 't', nonce: made, signature: keys.get('XC-HT-003')!.signHello('XC-HT-003', made) })),
    );
    const victim = await open();
    const victimNonce = await challengeOf(victim);
    const thief = await open();
    await challengeOf(thief);
    await refusedWithoutChange('challenge_mismatch', async () =>
      errorCode(await thief.request(1, 'hello', { terminalId: 'XC-HT-003', version: 't', nonce: victimNonce, signature: keys.get('XC-HT-003')!.signHello('XC-HT-003', victimNonce) })),
    );
    // The stolen nonce is used up, so it cannot be raced in afterwards either.
    expect(errorCode(await signedHello(victim, 1, 'XC-HT-003', keys.get('XC-HT-003')!))).toBe('challenge_replayed');
  });

  it('stale: a signature sent after the challenge expired is challenge_expired', async () => {
    const peer = await open();
    const nonce = await challengeOf(peer);
    await new Promise((r) => setTimeout(r, CHALLENGE_TTL_MS + 200));
    await refusedWithoutChange('challenge_expired', async () =>
      errorCode(await peer.request(1, 'hello', { terminalId: 'XC-HT-003', version: 't', nonce, signature: keys.get('XC-HT-003')!.signHello('XC-HT-003', nonce) })),
    );
  });

  it('unknown terminal: unknown_terminal and close 4004; not enrolled: terminal_not_enrolled', async () => {
    const peer = await open();
    await refusedWithoutChange('unknown_terminal', async () => errorCode(await signedHello(peer, 1, 'XC-NOPE-999', DeviceKey.generate())));
    expect((await peer.waitClosed()).code).toBe(4004);
    const fresh = await open();
    await refusedWithoutChange('terminal_not_enrolled', async () => errorCode(await signedHello(fresh, 1, 'XC-KG-005', DeviceKey.generate())));
    expect((await fresh.waitClosed()).code).toBe(4003);
  });

  it('hello without a nonce or signature, or with a malformed one, is bad_message and changes nothing', async () => {
    const peer = await open();
    const before = dbSnapshot(relay.relay.db);
    expect(errorCode(await peer.request(1, 'hello', { terminalId: 'XC-HT-003', version: 't' }))).toBe('bad_message');
    expect(errorCode(await peer.request(2, 'hello', { terminalId: 'XC-HT-003', version: 't', nonce: 'short', signature: 'x' }))).toBe('bad_message');
    expect(errorCode(await peer.request(3, 'hello', { terminalId: 'XC-HT-003', version: 't', nonce: await challengeOf(peer), signature: 'A'.repeat(86), extra: 1 }))).toBe('bad_message');
    expect(dbSnapshot(relay.relay.db)).toEqual(before);
    // the connection's challenge is still good after schema refusals
    expect((await signedHello(peer, 4, 'XC-HT-003', keys.get('XC-HT-003')!))['ok']).toBe(true);
    peer.close();
  });

  it('a second connection for a connected terminal wins; the old one is closed with 4001 and it is audited', async () => {
    const key = keys.get('XC-SCH-001')!;
    const first = await open();
    await signedHello(first, 1, 'XC-SCH-001', key);
    const second = await open();
    expect((await signedHello(second, 1, 'XC-SCH-001', key))['ok']).toBe(true);
    expect((await first.waitClosed()).code).toBe(4001);
    expect(lastAudit(relay.relay.db)).toMatchObject({ action: 'terminal.replaced', target: 'XC-SCH-001', outcome: 'ok' });
    second.close();
  });
});

describe('revoke and re-enrol', () => {
  it('revoking drops the live connection at once; the key is then refused; a new code and key bring it back', async () => {
    const tech = await signIn('tech', 'demo-tech');
    const live = await open();
    expect((await signedHello(live, 1, 'XC-HT-006', keys.get('XC-HT-006')!))['ok']).toBe(true);

    const revoked = await api('POST', '/api/terminals/XC-HT-006/revoke', { reason: 'Pi stolen' }, tech);
    expect(revoked.status).toBe(200);
    expect((await live.waitClosed()).code).toBe(4003);
    expect(lastAudit(relay.relay.db)).toMatchObject({ action: 'terminal.revoke', target: 'XC-HT-006', outcome: 'ok', actor: 'user:tech' });

    const again = await open();
    await refusedWithoutChange('terminal_revoked', async () => errorCode(await signedHello(again, 1, 'XC-HT-006', keys.get('XC-HT-006')!)));
    // revoking twice is refused, too
    await refusedWithoutChange('conflict', async () => apiCode(await api('POST', '/api/terminals/XC-HT-006/revoke', { reason: 'again' }, tech)));

    // the replacement Pi
    const code = await api('POST', '/api/terminals/XC-HT-006/enrolment-code', {}, tech);
    expect(code.status).toBe(200);
    const newKey = DeviceKey.generate();
    const enrolled = await api('POST', '/api/enrol', { code: code.json['code'], publicKey: newKey.publicKey });
    expect(enrolled.status).toBe(200);
    expect(enrolled.json).toMatchObject({ terminalId: 'XC-HT-006', keyFingerprint: newKey.fingerprint });
    const back = await open();
    expect((await signedHello(back, 1, 'XC-HT-006', newKey))['ok']).toBe(true);
    // the stolen Pi's key stays out
    const stolen = await open();
    await refusedWithoutChange('bad_signature', async () => errorCode(await signedHello(stolen, 1, 'XC-HT-006', keys.get('XC-HT-006')!)));
    back.close();
  });

  it('re-enrolling a connected terminal drops the connection made with the old key', async () => {
    const tech = await signIn('tech', 'demo-tech');
    const live = await open();
    expect((await signedHello(live, 1, 'XC-SCH-007', keys.get('XC-SCH-007')!))['ok']).toBe(true);
    const code = await api('POST', '/api/terminals/XC-SCH-007/enrolment-code', {}, tech);
    const newKey = DeviceKey.generate();
    expect((await api('POST', '/api/enrol', { code: code.json['code'], publicKey: newKey.publicKey })).status).toBe(200);
    expect((await live.waitClosed()).code).toBe(4003);
    keys.set('XC-SCH-007', newKey);
  });
});

describe('enrolment codes', () => {
  it('a code works once; the second use is enrolment_code_used', async () => {
    const tech = await signIn('tech', 'demo-tech');
    const made = await api('POST', '/api/terminals/XC-KG-008/enrolment-code', { ttlHours: 2 }, tech);
    expect(made.status).toBe(200);
    expect(made.json['code']).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(made.json['expiresAt']).toBeGreaterThan(Date.now() + 3600_000);
    const k1 = DeviceKey.generate();
    // typed the way a person might: lower case, spaces instead of dashes
    const typed = String(made.json['code']).toLowerCase().replace(/-/g, ' ');
    expect((await api('POST', '/api/enrol', { code: typed, publicKey: k1.publicKey })).status).toBe(200);
    await refusedWithoutChange('enrolment_code_used', async () => apiCode(await api('POST', '/api/enrol', { code: made.json['code'], publicKey: DeviceKey.generate().publicKey })));
  });

  it('unknown, expired and replaced codes, bad keys and a key already bound elsewhere are refused without change', async () => {
    const tech = await signIn('tech', 'demo-tech');
    await refusedWithoutChange('enrolment_code_invalid', async () => apiCode(await api('POST', '/api/enrol', { code: newEnrolmentCode(), publicKey: DeviceKey.generate().publicKey })));

    // an expired code (written straight into the table: the relay's clock cannot be wound forward)
    const expired = newEnrolmentCode();
    relay.relay.trust.codes.insert({ codeHash: hashEnrolmentCode(normaliseEnrolmentCode(expired)!), terminalId: 'XC-HT-009', createdBy: null, createdAt: Date.now() - 2 * 86400_000, expiresAt: Date.now() - 86400_000 });
    await refusedWithoutChange('enrolment_code_expired', async () => apiCode(await api('POST', '/api/enrol', { code: expired, publicKey: DeviceKey.generate().publicKey })));

    const older = await api('POST', '/api/terminals/XC-HT-009/enrolment-code', {}, tech);
    const newer = await api('POST', '/api/terminals/XC-HT-009/enrolment-code', {}, tech);
    await refusedWithoutChange('enrolment_code_invalid', async () => apiCode(await api('POST', '/api/enrol', { code: older.json['code'], publicKey: DeviceKey.generate().publicKey })));

    for (const publicKey of ['not base64!', Buffer.alloc(31).toString('base64'), Buffer.alloc(33).toString('base64').slice(0, 44)]) {
      await refusedWithoutChange('bad_public_key', async () => apiCode(await api('POST', '/api/enrol', { code: newer.json['code'], publicKey })));
    }
    await refusedWithoutChange('conflict', async () => apiCode(await api('POST', '/api/enrol', { code: newer.json['code'], publicKey: keys.get('XC-SCH-001')!.publicKey })));
    // none of that spent the code
    expect((await api('POST', '/api/enrol', { code: newer.json['code'], publicKey: DeviceKey.generate().publicKey })).status).toBe(200);
  });

  it('codes are only for technicians and admins, and only for registered terminals', async () => {
    for (const [user, pass] of [['officer1', 'demo-officer1'], ['field', 'demo-field'], ['supervisor', 'demo-supervisor']] as const) {
      const cookie = await signIn(user, pass);
      const before = dbSnapshot(relay.relay.db);
      expect(apiCode(await api('POST', '/api/terminals/XC-HT-012/enrolment-code', {}, cookie))).toBe('forbidden');
      expect(apiCode(await api('POST', '/api/terminals/XC-SCH-001/revoke', { reason: 'x' }, cookie))).toBe('forbidden');
      expect(dbSnapshot(relay.relay.db)).toEqual(before);
    }
    expect(apiCode(await api('POST', '/api/terminals/XC-HT-012/enrolment-code', {}))).toBe('unauthenticated');
    const admin = await signIn('admin', 'demo-admin');
    await refusedWithoutChange('unknown_terminal', async () => apiCode(await api('POST', '/api/terminals/XC-ZZ-404/enrolment-code', {}, admin)));
    expect(apiCode(await api('POST', '/api/terminals/bad id/enrolment-code', {}, admin))).toBe('bad_request');
  });

  it('the enrolment list shows each terminal\'s state and pending code, for technicians only', async () => {
    const tech = await signIn('tech', 'demo-tech');
    const list = await api('GET', '/api/enrolments', undefined, tech);
    const byId = new Map((list.json['terminals'] as { terminalId: string; state: string; pendingCodeExpiresAt: number | null }[]).map((t) => [t.terminalId, t]));
    expect(byId.get('XC-SCH-001')?.state).toBe('enrolled');
    expect(byId.get('XC-KG-005')?.state).toBe('unenrolled');
    expect(byId.get('XC-HT-012')?.pendingCodeExpiresAt).toBeNull();
    const officer = await signIn('officer1', 'demo-officer1');
    expect((await api('GET', '/api/enrolments', undefined, officer)).status).toBe(403);
  });
});
