import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { AuditResponse } from '@helppoint/shared';
import type { AuditRepo } from '../db/AuditRepo.ts';
import type { SessionRepo } from '../db/SessionRepo.ts';
import { requirePermission } from './guard.ts';

const Query = Type.Object(
  { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })), beforeId: Type.Optional(Type.Integer({ minimum: 1 })) },
  { additionalProperties: false },
);

/** Admins read the audit log, newest first, a page at a time. */
export function registerAuditRoutes(app: FastifyInstance, deps: { sessions: SessionRepo; audit: AuditRepo }): void {
  app.get('/api/audit', { schema: { querystring: Query, response: { 200: AuditResponse } } }, async (req) => {
    requirePermission(deps.sessions, req, 'audit.read');
    const q = req.query as { limit?: number; beforeId?: number };
    return { entries: deps.audit.list({ limit: q.limit ?? 100, ...(q.beforeId ? { beforeId: q.beforeId } : {}) }) };
  });
}
