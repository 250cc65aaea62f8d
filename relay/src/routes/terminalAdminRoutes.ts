import type { FastifyInstance } from 'fastify';
import type Database from 'better-sqlite3';
import Type from 'typebox';
import { AppError, ErrorCode, LocationId, TerminalSavedResponse } from '@helppoint/shared';
import type { AuditRepo } from '../db/AuditRepo.ts';
import type { SessionRepo } from '../db/SessionRepo.ts';
import { TERMINAL_KINDS, type TerminalInput, type TerminalRecord, type TerminalRepo } from '../db/TerminalRepo.ts';
import { requirePermission } from './guard.ts';

export interface TerminalAdminDeps {
  db: Database.Database;
  sessions: SessionRepo;
  terminals: TerminalRepo;
  audit: AuditRepo;
}

// Everything about a place except its location ID, which never changes: it is painted on the
// terminal, printed in every call record, and bound to the key at enrolment.
const editable = {
  name: Type.String({ minLength: 1, maxLength: 64 }),
  nameEn: Type.String({ maxLength: 128 }),
  address: Type.String({ minLength: 1, maxLength: 200 }),
  hutong: Type.String({ maxLength: 64 }),
  district: Type.String({ minLength: 1, maxLength: 32 }),
  latitude: Type.Number({ minimum: -90, maximum: 90 }),
  longitude: Type.Number({ minimum: -180, maximum: 180 }),
  kind: Type.Union(TERMINAL_KINDS.map((k) => Type.Literal(k))),
  notes: Type.String({ maxLength: 500 }),
};
const CreateBody = Type.Object(
  {
    id: LocationId,
    name: editable.name,
    address: editable.address,
    latitude: editable.latitude,
    longitude: editable.longitude,
    kind: editable.kind,
    nameEn: Type.Optional(editable.nameEn),
    hutong: Type.Optional(editable.hutong),
    district: Type.Optional(editable.district),
    notes: Type.Optional(editable.notes),
  },
  { additionalProperties: false },
);
const PatchBody = Type.Partial(Type.Object(editable), { additionalProperties: false, minProperties: 1 });
const IdParams = Type.Object({ id: LocationId });

/** Technicians and admins keep the terminal records (the places officers see when a call comes in). */
export function registerTerminalAdminRoutes(app: FastifyInstance, deps: TerminalAdminDeps): void {
  app.post('/api/terminals', { schema: { body: CreateBody, response: { 201: TerminalSavedResponse } } }, async (req, reply): Promise<TerminalSavedResponse> => {
    const user = requirePermission(deps.sessions, req, 'terminals.manage');
    const input = req.body as TerminalInput;
    const created = deps.db
      .transaction((): TerminalRecord | null => {
        if (deps.terminals.get(input.id)) return null;
        const t = deps.terminals.upsert(input);
        deps.audit.write({ actor: user.actor.label, action: 'terminal.create', target: t.id, detail: { name: t.name, address: t.address }, remote: req.ip });
        return t;
      })
      .immediate();
    if (!created) throw new AppError(ErrorCode.Conflict, `terminal ${input.id} already exists`);
    reply.status(201);
    return { terminal: created };
  });

  app.patch('/api/terminals/:id', { schema: { params: IdParams, body: PatchBody, response: { 200: TerminalSavedResponse } } }, async (req): Promise<TerminalSavedResponse> => {
    const user = requirePermission(deps.sessions, req, 'terminals.manage');
    const { id } = req.params as { id: string };
    const patch = req.body as Partial<TerminalInput>;
    const updated = deps.db
      .transaction((): TerminalRecord | null => {
        const current = deps.terminals.get(id);
        if (!current) return null;
        const t = deps.terminals.upsert({ ...current, ...patch, id });
        const changed = Object.keys(patch).filter((k) => current[k as keyof TerminalRecord] !== t[k as keyof TerminalRecord]);
        deps.audit.write({ actor: user.actor.label, action: 'terminal.edit', target: id, detail: { changed }, remote: req.ip });
        return t;
      })
      .immediate();
    if (!updated) throw new AppError(ErrorCode.UnknownTerminal, `terminal ${id} is not registered`);
    return { terminal: updated };
  });
}
