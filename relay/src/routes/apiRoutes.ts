import type { FastifyInstance } from 'fastify';
import { TerminalsResponse } from '@helppoint/shared';
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

/** Read-only REST for the console and for people looking at call records. */
export function registerApiRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/api/terminals', { schema: { response: { 200: TerminalsResponse } } }, async (req) => {
    requirePermission(deps.sessions, req, 'terminals.read');
    return { terminals: deps.terminals.list().map((t) => deps.calls.terminalView(t)) };
  });
  // /api/calls and /api/calls/:id (the call history) are in historyRoutes.ts.
}
