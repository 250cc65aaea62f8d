import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { CalledBackBody, CalledBackResponse, MissedCallsResponse, type CalledBackView, type MissedCallView } from '@helppoint/shared';
import type { AuditRepo } from '../db/AuditRepo.ts';
import type { MissedCallRepo } from '../db/MissedCallRepo.ts';
import type { SessionRepo } from '../db/SessionRepo.ts';
import type { TerminalRepo } from '../db/TerminalRepo.ts';
import type { UserRepo } from '../db/UserRepo.ts';
import { requirePermission } from './guard.ts';
import { strictSchema } from './strictSchema.ts';

export interface MissedCallDeps {
  sessions: SessionRepo;
  terminals: TerminalRepo;
  users: UserRepo;
  missed: MissedCallRepo;
  audit: AuditRepo;
  /** Tells every console a missed call was called back, so it leaves their lists at once. */
  notify: (calledBack: CalledBackView) => void;
}

const CallParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
const ListQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }, { additionalProperties: false });

/**
 * Missed calls to call back: presses delivered late from a terminal's outbox
 * (a console offline at the time never rang for them), and marking one as
 * called back (a call event, audited).
 */
export function registerMissedCallRoutes(app: FastifyInstance, deps: MissedCallDeps): void {
  const log = app.log.child({ component: 'missed-calls' });

  app.get('/api/missed-calls', { schema: { querystring: ListQuery, response: { 200: MissedCallsResponse } }, validatorCompiler: strictSchema }, async (req) => {
    requirePermission(deps.sessions, req, 'calls.read');
    const { limit = 100 } = req.query as { limit?: number };
    const calls: MissedCallView[] = deps.missed.listOpen(limit).map((m) => {
      const t = deps.terminals.get(m.terminalId);
      return { ...m, terminalName: t?.name ?? '', terminalNameEn: t?.nameEn ?? '', address: t?.address ?? '' };
    });
    return { calls };
  });

  app.post('/api/calls/:id/called-back', { schema: { params: CallParams, body: CalledBackBody, response: { 200: CalledBackResponse } }, validatorCompiler: strictSchema }, async (req) => {
    const user = requirePermission(deps.sessions, req, 'calls.answer');
    const callId = (req.params as { id: string }).id;
    const note = ((req.body as CalledBackBody | undefined)?.note ?? '').trim();
    const { record, changed } = deps.missed.markCalledBack({ callId, userId: user.id, at: Date.now(), note });
    const by = deps.users.get(record.userId);
    const view: CalledBackView = { callId, at: record.at, by: { id: record.userId, displayName: by?.displayName ?? '' }, note: record.note };
    if (changed) {
      deps.audit.write({ actor: user.actor.label, action: 'call.called_back', target: callId, detail: note ? { note } : null, remote: req.ip });
      log.info({ callId, userId: user.id }, 'missed call called back');
      deps.notify(view);
    }
    return { calledBack: view, changed };
  });
}
