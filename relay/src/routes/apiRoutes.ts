import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { AppError, ErrorCode } from '@helppoint/shared';
import type { CallService } from '../calls/CallService.ts';
import type { CallRepo } from '../db/CallRepo.ts';
import type { SessionRepo } from '../db/SessionRepo.ts';
import type { TerminalRepo } from '../db/TerminalRepo.ts';
import { requirePermission } from './guard.ts';

export interface ApiDeps {
  sessions: SessionRepo;
  terminals: TerminalRepo;
  callRepo: CallRepo;
  calls: CallService;
}

const CallsQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
    terminalId: Type.Optional(Type.String({ maxLength: 32 })),
  },
  { additionalProperties: false },
);
const CallParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

/** Read-only REST for the console and for people looking at call records. */
export function registerApiRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/api/terminals', async (req) => {
    requirePermission(deps.sessions, req, 'terminals.read');
    return { terminals: deps.terminals.list().map((t) => deps.calls.terminalView(t)) };
  });

  app.get('/api/calls', { schema: { querystring: CallsQuery } }, async (req) => {
    requirePermission(deps.sessions, req, 'calls.read');
    const q = req.query as { limit?: number; terminalId?: string };
    const rows = deps.callRepo.listRecent({ limit: q.limit ?? 50, ...(q.terminalId ? { terminalId: q.terminalId } : {}) });
    return { calls: rows };
  });

  app.get('/api/calls/:id', { schema: { params: CallParams } }, async (req) => {
    requirePermission(deps.sessions, req, 'calls.read');
    const { id } = req.params as { id: string };
    const call = deps.callRepo.get(id);
    if (!call) throw new AppError(ErrorCode.CallNotFound, `no call ${id}`);
    return { call, events: deps.callRepo.events(id) };
  });
}
