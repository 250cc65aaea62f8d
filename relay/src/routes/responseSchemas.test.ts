import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { AuditResponse, CallDetailResponse, MeResponse } from '@helppoint/shared';

// The REST response schemas from shared/ are what fastify serialises with:
// a field the server has but the contract lacks (a password hash, an
// internal flag) never reaches the client.
describe('REST response schemas', () => {
  it('serialise only the contract fields, nulls and unions intact', async () => {
    const app = Fastify();
    app.get('/me', { schema: { response: { 200: MeResponse } } }, async () => ({
      user: { id: 1, username: 'li', displayName: 'Li', role: 'officer', passwordHash: 'scrypt$secret' },
      permissions: ['calls.answer'],
      internal: true,
    }));
    app.get('/audit', { schema: { response: { 200: AuditResponse } } }, async () => ({
      entries: [{ id: 1, at: 5, actor: 'user:li', action: 'x', target: null, outcome: 'ok', detail: { a: 1 }, remote: null, secret: 'no' }],
    }));
    const me = await app.inject({ url: '/me' });
    expect(me.json()).toEqual({ user: { id: 1, username: 'li', displayName: 'Li', role: 'officer' }, permissions: ['calls.answer'] });
    expect(me.body).not.toContain('secret');
    const audit = await app.inject({ url: '/audit' });
    expect(audit.json()).toEqual({ entries: [{ id: 1, at: 5, actor: 'user:li', action: 'x', target: null, outcome: 'ok', detail: { a: 1 }, remote: null }] });
    await app.close();
  });
  it('a detail with nullable nested records and free-form event details', async () => {
    const app = Fastify();
    const call = { id: 'c1', requestId: 'r1', terminalId: 'XC-SCH-001', state: 'ended', createdAt: 1, rangAt: 1, answeredAt: null, answeredBy: null, endedAt: 2, endReason: 'no_answer', endedBy: 'relay', kind: 'lookin', escalatedAt: null };
    app.get('/d', { schema: { response: { 200: CallDetailResponse } } }, async () => ({
      call,
      summary: { ...call, terminalName: '学校', terminalNameEn: 'School', officer: null, disposition: null },
      events: [{ id: 1, callId: 'c1', at: 1, type: 'ended', actor: null, actorName: null, detail: { reason: 'no_answer', nested: [1, 2] } }],
      disposition: null,
      media: [],
    }));
    const body = (await app.inject({ url: '/d' })).json() as { summary: { kind: string }; events: { detail: unknown }[] };
    expect(body.summary.kind).toBe('lookin');
    expect(body.events[0]!.detail).toEqual({ reason: 'no_answer', nested: [1, 2] });
    await app.close();
  });
});
