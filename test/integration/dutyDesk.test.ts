import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceKey } from '../../kiosk/src/enrol/deviceKey.ts';
import { RawPeer, startTestRelay } from '../support/relayHarness.ts';
import { enrolTerminals, signedHello } from '../support/terminalKeys.ts';
import { signIn as signInAt } from '../support/station.ts';

/**
 * The duty desk's relay side with raw terminal sockets (no media): queue
 * order and kinds, escalation and abandon timings, the maximum call length,
 * and every bad input to the history, disposition, snapshot and evidence routes.
 */
let relay: Awaited<ReturnType<typeof startTestRelay>>;
let wsBase: string;
let officer1: string;
let officer2: string;
let tech: string;
let supervisor: string;
let keys: Map<string, DeviceKey>;

const ESCALATE_MS = 400;
const ABANDON_MS = 1200;
const MAX_CALL_MS = 700;

beforeAll(async () => {
  relay = await startTestRelay({ escalateAfterMs: ESCALATE_MS, ringTimeoutMs: ABANDON_MS, maxCallMs: MAX_CALL_MS, recordCalls: false });
  wsBase = relay.url.replace('http', 'ws');
  keys = enrolTerminals(relay.relay, ['XC-KG-005', 'XC-HT-006', 'XC-HT-009', 'XC-SCH-013']);
  officer1 = await signIn('officer1', 'demo-officer1');
  officer2 = await signIn('officer2', 'demo-officer2');
  tech = await signIn('tech', 'demo-tech');
  supervisor = await signIn('supervisor', 'demo-supervisor');
});
afterAll(async () => {
  await relay?.close();
});

const signIn = (username: string, password: string): Promise<string> => signInAt(relay.url, username, password);

async function api(method: string, url: string, cookie: string | null, body?: unknown, contentType = 'application/json') {
  const headers: Record<string, string> = {};
  if (cookie) headers['cookie'] = cookie;
  if (body !== undefined) headers['content-type'] = contentType;
  const res = await fetch(`${relay.url}${url}`, { method, headers, body: body === undefined ? null : Buffer.isBuffer(body) ? new Uint8Array(body) : typeof body === 'string' ? body : JSON.stringify(body) });
  const json = (await res.json().catch(() => null)) as Record<string, unknown> | null;
  return { status: res.status, json, code: (json?.['error'] as { code?: string } | undefined)?.code };
}

async function terminal(id: string): Promise<RawPeer> {
  const peer = await RawPeer.open(`${wsBase}/ws/terminal`);
  const r = await signedHello(peer, 1, id, keys.get(id)!);
  expect(r['ok']).toBe(true);
  return peer;
}

let seq = 100;
async function press(peer: RawPeer, kind?: 'help' | 'tamper'): Promise<string> {
  const r = await peer.request(++seq, 'help.request', { requestId: `req-${seq}-${Date.now()}`, ...(kind ? { kind } : {}) });
  expect(r['ok']).toBe(true);
  return (r['data'] as { callId: string }).callId;
}

async function consoleOf(cookie: string): Promise<RawPeer> {
  const c = await RawPeer.open(`${wsBase}/ws/console`, { cookie });
  expect((await c.request(1, 'hello', {}))['ok']).toBe(true);
  return c;
}

const updates = (c: RawPeer, callId: string) =>
  c.frames.filter((f) => f['type'] === 'call.updated').map((f) => (f['data'] as { call: { id: string; state: string; escalatedAt: number | null; kind: string; endReason: string | null } }).call).filter((v) => v.id === callId);

describe('queue and timings', () => {
  it('a tamper alarm carries its kind; escalation and abandon happen at the configured times', async () => {
    const desk = await consoleOf(officer1);
    const t = await terminal('XC-KG-005');
    const pressedAt = Date.now();
    const callId = await press(t, 'tamper');
    const escalated = await desk.until(() => updates(desk, callId).find((c) => c.escalatedAt !== null), 3000);
    expect(escalated.kind).toBe('tamper');
    expect(escalated.state).toBe('ringing');
    expect(escalated.escalatedAt! - pressedAt).toBeGreaterThanOrEqual(ESCALATE_MS - 20);
    const ended = await desk.until(() => updates(desk, callId).find((c) => c.state === 'ended'), 4000);
    expect(ended.endReason).toBe('no_answer');
    expect(Date.now() - pressedAt).toBeGreaterThanOrEqual(ABANDON_MS - 20);
    await t.until(() => t.frames.find((f) => f['type'] === 'call.ended' && (f['data'] as { reason: string }).reason === 'no_answer'));
    // Escalated exactly once.
    const detail = await api('GET', `/api/calls/${callId}`, officer1);
    const types = (detail.json!['events'] as { type: string }[]).map((e) => e.type);
    expect(types.filter((x) => x === 'escalated')).toHaveLength(1);
    expect(detail.json!['call']).toMatchObject({ kind: 'tamper', endReason: 'no_answer' });
    desk.close();
    t.close();
  });

  it('an answered call does not escalate, and ends as max_duration after the maximum call length', async () => {
    const desk = await consoleOf(officer2);
    const t = await terminal('XC-HT-006');
    const callId = await press(t);
    const answered = await desk.request(2, 'call.answer', { callId });
    expect(answered['ok']).toBe(true);
    const ended = await desk.until(() => updates(desk, callId).find((c) => c.state === 'ended'), 3000);
    expect(ended.endReason).toBe('max_duration');
    expect(ended.escalatedAt).toBeNull();
    desk.close();
    t.close();
  });

  it('refuses an unknown call kind and changes nothing', async () => {
    const t = await terminal('XC-HT-009');
    const r = await t.request(5, 'help.request', { requestId: 'kind-test-0001', kind: 'fire' });
    expect((r['error'] as { code: string }).code).toBe('bad_message');
    expect((await api('GET', '/api/calls?terminalId=XC-HT-009', officer1)).json!['calls']).toEqual([]);
    t.close();
  });
});

describe('history, disposition, snapshots, evidence', () => {
  let callId: string;
  beforeAll(async () => {
    const desk = await consoleOf(officer1);
    const t = await terminal('XC-SCH-013');
    callId = await press(t);
    expect((await desk.request(2, 'call.answer', { callId }))['ok']).toBe(true);
    expect((await desk.request(3, 'call.hangup', { callId }))['ok']).toBe(true);
    desk.close();
    t.close();
  });

  const good = { incidentType: 'medical', outcome: 'resolved_by_phone', notes: '  头晕，已联系家属  ', dispatched: false };

  it('records a disposition from the officer who answered; others and bad bodies are refused with stable codes', async () => {
    const url = `/api/calls/${callId}/disposition`;
    expect((await api('POST', url, null, good)).code).toBe('unauthenticated');
    expect((await api('POST', url, tech, good)).code).toBe('forbidden');
    expect((await api('POST', url, officer2, good)).code).toBe('not_your_call');
    expect((await api('POST', '/api/calls/nope/disposition', officer1, good)).code).toBe('call_not_found');
    for (const bad of [
      { ...good, incidentType: 'alien' },
      { ...good, outcome: '' },
      { ...good, dispatched: 'yes' },
      { ...good, notes: 'x'.repeat(2001) },
      { ...good, extra: 1 },
      { incidentType: 'medical' },
    ]) {
      const r = await api('POST', url, officer1, bad);
      expect(r.status, JSON.stringify(bad).slice(0, 80)).toBe(400);
      expect(r.code).toBe('bad_request');
    }
    expect((await api('POST', url, officer1, '{"incidentType":')).code).toBe('bad_json');
    expect((await api('GET', `/api/calls/${callId}`, officer1)).json!['disposition']).toBeNull();

    const saved = await api('POST', url, officer1, good);
    expect(saved.status).toBe(200);
    // A supervisor may correct it.
    expect((await api('POST', url, supervisor, { ...good, outcome: 'officers_dispatched', dispatched: true })).status).toBe(200);
    const d = await api('GET', `/api/calls/${callId}`, officer1);
    expect(d.json!['disposition']).toMatchObject({ outcome: 'officers_dispatched', dispatched: true, notes: '头晕，已联系家属' });
    // Both saves are in the audit log, with who made them; refused attempts changed nothing there.
    const audited = relay.relay.trust.audit.list().filter((e) => e.action === 'call.disposition' && e.target === callId);
    expect(audited.map((e) => e.actor).sort()).toEqual(['user:officer1', 'user:supervisor']);
  });

  it('searches the history by terminal, officer, day and outcome, and refuses bad filters', async () => {
    const ids = async (q: string) => ((await api('GET', `/api/calls?${q}`, officer2)).json!['calls'] as { id: string }[]).map((c) => c.id);
    const me = ((await api('GET', '/api/me', officer1)).json!['user'] as { id: number }).id;
    expect(await ids('terminalId=XC-SCH-013')).toEqual([callId]);
    expect(await ids(`officerId=${me}&outcome=officers_dispatched`)).toEqual([callId]);
    expect(await ids('outcome=prank')).toEqual([]);
    const now = Date.now();
    expect(await ids(`terminalId=XC-SCH-013&from=${now - 60_000}&to=${now + 60_000}`)).toEqual([callId]);
    expect(await ids(`terminalId=XC-SCH-013&from=${now + 60_000}`)).toEqual([]);
    const row = ((await api('GET', '/api/calls?terminalId=XC-SCH-013', officer2)).json!['calls'] as Record<string, unknown>[])[0]!;
    expect(row).toMatchObject({ terminalName: '后海南沿小学 西门', officer: { id: me }, disposition: { outcome: 'officers_dispatched' } });
    for (const q of ['limit=0', 'limit=abc', 'terminalId=bad id', 'officerId=-1', 'from=x', 'outcome=maybe', 'endReason=tired', 'kind=fire', 'sql=1', `from=${now}&to=${now - 1}`]) {
      const r = await api('GET', `/api/calls?${q}`, officer1);
      expect(r.status, q).toBe(400);
      expect(r.code, q).toBe('bad_request');
    }
    expect((await api('GET', '/api/calls', null)).code).toBe('unauthenticated');
  });

  it('keeps a JPEG snapshot with the call, serves it, and refuses anything else', async () => {
    // A real JPEG (the relay checks the whole file structure, not a magic number: issue 16).
    const jpeg = execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=s=64x48', '-frames:v', '1', '-c:v', 'mjpeg', '-f', 'image2', 'pipe:1']);
    const url = `/api/calls/${callId}/snapshots`;
    expect((await api('POST', url, officer1, Buffer.from('GIF89a....'), 'image/jpeg')).code).toBe('bad_image');
    expect((await api('POST', url, officer1, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(200, 7), Buffer.from([0xff, 0xd9])]), 'image/jpeg')).code).toBe('bad_image');
    expect((await api('POST', url, officer1, Buffer.alloc(3 * 1024 * 1024, 0xff), 'image/jpeg')).code).toBe('frame_too_large');
    expect((await api('POST', url, officer1, Buffer.from('x'), 'image/png')).code).toBe('bad_image');
    expect((await api('POST', url, officer1, Buffer.from('x'), 'image/gif')).status).toBe(415);
    expect((await api('POST', url, tech, jpeg, 'image/jpeg')).code).toBe('forbidden');
    expect((await api('POST', '/api/calls/nope/snapshots', officer1, jpeg, 'image/jpeg')).code).toBe('call_not_found');
    expect(fs.existsSync(path.join(relay.dir, 'media', 'snapshots'))).toBe(false);

    const saved = await api('POST', url, officer1, jpeg, 'image/jpeg');
    expect(saved.status).toBe(200);
    const media = saved.json!['media'] as { id: number; url: string };
    const res = await fetch(`${relay.url}${media.url}`, { headers: { cookie: officer2 } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(jpeg);
    const ranged = await fetch(`${relay.url}${media.url}`, { headers: { cookie: officer2, range: 'bytes=0-3' } });
    expect(ranged.status).toBe(206);
    expect(Buffer.from(await ranged.arrayBuffer())).toEqual(jpeg.subarray(0, 4));
    expect((await fetch(`${relay.url}${media.url}`, { headers: { cookie: officer2, range: 'bytes=99999-' } })).status).toBe(416);
    expect((await api('GET', media.url, null)).code).toBe('unauthenticated');
    expect((await api('GET', '/api/media/999999', officer1)).code).toBe('not_found');
    expect((await api('GET', '/api/media/abc', officer1)).code).toBe('bad_request');
    const events = (await api('GET', `/api/calls/${callId}`, officer1)).json!['events'] as { type: string; actorName: string | null }[];
    expect(events.find((e) => e.type === 'snapshot')?.actorName).toBe('值班民警 王磊');
  });

  it('retention deletes expired evidence files but keeps the record', async () => {
    const { repos, mediaDir } = relay.relay;
    const rows = repos.media.forCall(callId);
    expect(rows.length).toBeGreaterThan(0);
    const { EvidenceRetention } = await import('../../relay/src/calls/EvidenceRetention.ts');
    const pino = (await import('pino')).default;
    const retention = new EvidenceRetention({ media: repos.media, mediaDir, retentionDays: 1, logger: pino({ level: 'silent' }) });
    expect(retention.sweep(Date.now())).toBe(0); // nothing is a day old yet
    expect(retention.sweep(Date.now() + 2 * 86_400_000)).toBe(rows.length);
    retention.close();
    for (const r of rows) expect(fs.existsSync(path.join(mediaDir, r.file))).toBe(false);
    const d = await api('GET', `/api/calls/${callId}`, officer1);
    const media = d.json!['media'] as { deletedAt: number | null; url: string | null }[];
    expect(media.every((m) => m.deletedAt !== null && m.url === null)).toBe(true);
    expect((await api('GET', `/api/media/${rows[0]!.id}`, officer1)).code).toBe('not_found');
  });
});
