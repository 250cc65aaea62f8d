import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { KioskPackageSavedResponse, KioskPackagesResponse, RolloutsResponse, type KioskPackageView, type RolloutView } from '@helppoint/shared';
import { registerUpdateRoutes } from './updateRoutes.ts';

// The update routes, fed by a stand-in service whose records carry fields the
// contract lacks (`secret`, the stored `package` name): the response schema
// each route registers keeps them off the wire.
const admin = { id: 1, username: 'admin', displayName: '管理员', role: 'admin' };
const sessions = { resolve: () => ({ user: admin }) };
const cookie = 'hp_session=any';
const pkg: KioskPackageView = { sha256: 'a'.repeat(64), version: '9.9.9', architecture: 'amd64', size: 1234, uploadedBy: 'user:admin', uploadedAt: 5 };
const rollout: RolloutView = { id: 1, terminalId: 'XC-SCH-001', sha256: pkg.sha256, version: '9.9.9', architecture: 'amd64', state: 'offered', reason: null, requestedBy: 'user:tech', requestedAt: 6, offeredAt: null, updatedAt: 7 };
const updates = {
  packages: () => [{ ...pkg, package: 'helppoint-kiosk', secret: 'x' }],
  rollouts: () => [{ ...rollout, secret: 'x' }],
  rollOut: () => [{ ...rollout, secret: 'x' }],
};

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe('update route responses', () => {
  it('register the shared schemas; only the download (a file) has none', async () => {
    const seen = new Map<string, unknown>();
    app = Fastify();
    app.addHook('onRoute', (r) => {
      for (const m of [r.method].flat()) if (m !== 'HEAD') seen.set(`${m} ${r.url}`, r.schema?.response);
    });
    registerUpdateRoutes(app, { sessions, updates } as never);
    await app.ready();
    expect(seen.get('PUT /api/updates/packages')).toEqual({ 200: KioskPackageSavedResponse, 201: KioskPackageSavedResponse });
    expect(seen.get('GET /api/updates/packages')).toEqual({ 200: KioskPackagesResponse });
    expect(seen.get('GET /api/updates/rollouts')).toEqual({ 200: RolloutsResponse });
    expect(seen.get('POST /api/updates/rollouts')).toEqual({ 200: RolloutsResponse });
    expect([...seen].filter(([, r]) => !r).map(([route]) => route)).toEqual(['GET /api/updates/download/:sha256']);
  });

  it('send only the contract fields, and a null stays null', async () => {
    app = Fastify();
    registerUpdateRoutes(app, { sessions, updates } as never);
    const list = await app.inject({ url: '/api/updates/packages', headers: { cookie } });
    expect(list.json()).toEqual({ packages: [pkg] });
    expect(list.body).not.toContain('secret');
    expect(list.body).not.toContain('"package":"helppoint-kiosk"');
    const rollouts = await app.inject({ url: '/api/updates/rollouts', headers: { cookie } });
    expect(rollouts.json()).toEqual({ rollouts: [rollout] });
    const made = await app.inject({ method: 'POST', url: '/api/updates/rollouts', headers: { cookie }, payload: { sha256: pkg.sha256, terminalIds: ['XC-SCH-001'] } });
    expect(made.statusCode).toBe(200);
    expect(made.json()).toEqual({ rollouts: [rollout] });
    expect(made.body).not.toContain('secret');
  });
});
