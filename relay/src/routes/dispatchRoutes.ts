import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import {
  AppError,
  CandidatesResponse,
  DispatchBody,
  DispatchesResponse,
  DispatchSavedResponse,
  DutyBody,
  ErrorCode,
  JobSavedResponse,
  JobStatusBody,
  PositionBody,
  ReportQuery,
  ResponderKind,
  ResponderMeResponse,
  ResponderProfileBody,
  RespondersResponse,
  ResponderSavedResponse,
  ResponseTimeReportResponse,
} from '@helppoint/shared';
import type { AuditRepo } from '../db/AuditRepo.ts';
import type { ResponseTimeRepo } from '../db/DispatchRepo.ts';
import { isDbError } from '../db/DbError.ts';
import type { ResponderRepo } from '../db/ResponderRepo.ts';
import type { SessionRepo } from '../db/SessionRepo.ts';
import type { UserRecord, UserRepo } from '../db/UserRepo.ts';
import type { DispatchService } from '../dispatch/DispatchService.ts';
import { buildReport, periodStart, reportCsv, type Period } from '../dispatch/responseReport.ts';
import { checkNewPassword } from '../trust/passwordPolicy.ts';
import { requirePermission } from './guard.ts';
import { strictSchema } from './strictSchema.ts';

export interface DispatchRouteDeps {
  sessions: SessionRepo;
  users: UserRepo;
  responders: ResponderRepo;
  responseTimes: ResponseTimeRepo;
  dispatch: DispatchService;
  audit: AuditRepo;
  mediaDir: string;
  /** The station's target from press to someone on scene. */
  responseTargetMs: number;
}

const CallParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) }, { additionalProperties: false });
const NewResponderBody = Type.Object(
  {
    username: Type.String({ pattern: '^[A-Za-z0-9._-]{2,32}$' }),
    displayName: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
    unitName: Type.String({ minLength: 1, maxLength: 64 }),
    kind: ResponderKind,
  },
  { additionalProperties: false },
);
const DAY_MS = 86_400_000;

/**
 * Dispatch over HTTP: the desk's candidates / assign / cancel, the responder's
 * own duty, position and job status, responder accounts, and the
 * response-time report. Every route checks its permission; responders have
 * only responder.self, so desk routes refuse them (forbidden).
 */
export function registerDispatchRoutes(app: FastifyInstance, deps: DispatchRouteDeps): void {
  const { dispatch, audit } = deps;
  const opts = (schema: Record<string, unknown>) => ({ schema, validatorCompiler: strictSchema });

  // ---- desk ----
  app.get('/api/responders', opts({ response: { 200: RespondersResponse } }), async (req): Promise<RespondersResponse> => {
    const user = requirePermission(deps.sessions, req, 'dispatch.assign');
    audit.write({ actor: user.actor.label, action: 'responder.positions.view', target: 'responders', detail: { via: 'list' }, remote: req.ip });
    return { responders: dispatch.responders() };
  });

  app.get('/api/calls/:id/dispatch-candidates', opts({ params: CallParams, response: { 200: CandidatesResponse } }), async (req): Promise<CandidatesResponse> => {
    const user = requirePermission(deps.sessions, req, 'dispatch.assign');
    const { id } = req.params as { id: string };
    const candidates = dispatch.candidates(id);
    audit.write({ actor: user.actor.label, action: 'responder.positions.view', target: 'responders', detail: { via: 'candidates', callId: id, shown: candidates.length }, remote: req.ip });
    return { candidates };
  });

  app.get('/api/calls/:id/dispatches', opts({ params: CallParams, response: { 200: DispatchesResponse } }), async (req): Promise<DispatchesResponse> => {
    requirePermission(deps.sessions, req, 'calls.read');
    return { dispatches: dispatch.forCall((req.params as { id: string }).id) };
  });

  app.post('/api/calls/:id/dispatches', opts({ params: CallParams, body: DispatchBody, response: { 201: DispatchesResponse } }), async (req, reply): Promise<DispatchesResponse> => {
    const user = requirePermission(deps.sessions, req, 'dispatch.assign');
    const { id } = req.params as { id: string };
    const { responderIds } = req.body as DispatchBody;
    try {
      const dispatches = dispatch.dispatch(id, responderIds, user);
      audit.write({ actor: user.actor.label, action: 'call.dispatch', target: id, detail: { responderIds }, remote: req.ip });
      reply.status(201);
      return { dispatches };
    } catch (error) {
      const code = error instanceof AppError ? error.code : ErrorCode.Internal;
      audit.write({ actor: user.actor.label, action: 'call.dispatch', target: id, outcome: 'refused', detail: { responderIds, code }, remote: req.ip });
      throw error;
    }
  });

  app.post('/api/dispatches/:id/cancel', opts({ params: IdParams, response: { 200: DispatchSavedResponse } }), async (req): Promise<DispatchSavedResponse> => {
    const user = requirePermission(deps.sessions, req, 'dispatch.assign');
    const view = dispatch.cancel((req.params as { id: number }).id, user);
    audit.write({ actor: user.actor.label, action: 'dispatch.cancel', target: view.callId, detail: { dispatchId: view.id }, remote: req.ip });
    return { dispatch: view };
  });

  // ---- responder accounts (admin) ----
  app.post('/api/responders', opts({ body: NewResponderBody, response: { 201: ResponderSavedResponse } }), async (req, reply): Promise<ResponderSavedResponse> => {
    const admin = requirePermission(deps.sessions, req, 'responders.manage');
    const body = req.body as { username: string; displayName: string; password: string; unitName: string; kind: ResponderKind };
    checkNewPassword(body.password, body.username);
    let user: UserRecord;
    try {
      user = await deps.users.create({ username: body.username, displayName: body.displayName, role: 'responder', password: body.password });
    } catch (error) {
      if (isDbError(error, 'username_taken')) throw new AppError(ErrorCode.Conflict, `username ${body.username} is taken`);
      throw error;
    }
    const r = deps.responders.setProfile(user.id, body.unitName, body.kind);
    audit.write({ actor: admin.actor.label, action: 'user.create', target: user.username, detail: { role: 'responder', unitName: r.unitName, kind: r.kind }, remote: req.ip });
    reply.status(201);
    return { responder: dispatch.responderView(r) };
  });

  app.put('/api/responders/:id/profile', opts({ params: IdParams, body: ResponderProfileBody, response: { 200: ResponderSavedResponse } }), async (req): Promise<ResponderSavedResponse> => {
    const admin = requirePermission(deps.sessions, req, 'responders.manage');
    const { id } = req.params as { id: number };
    const u = deps.users.get(id);
    if (!u || u.role !== 'responder') throw new AppError(ErrorCode.ResponderNotFound, `no responder account ${id}`);
    const body = req.body as ResponderProfileBody;
    const r = deps.responders.setProfile(id, body.unitName, body.kind);
    audit.write({ actor: admin.actor.label, action: 'responder.profile', target: u.username, detail: body, remote: req.ip });
    return { responder: dispatch.responderView(r) };
  });

  // ---- the responder's own phone ----
  app.get('/api/responder/me', opts({ response: { 200: ResponderMeResponse } }), async (req): Promise<ResponderMeResponse> => {
    const me = requirePermission(deps.sessions, req, 'responder.self');
    return { responder: dispatch.responderView(dispatch.responderOf(me.id)), jobs: dispatch.jobsOf(me.id) };
  });

  app.post('/api/responder/duty', opts({ body: DutyBody, response: { 200: ResponderSavedResponse } }), async (req): Promise<ResponderSavedResponse> => {
    const me = requirePermission(deps.sessions, req, 'responder.self');
    const { onDuty } = req.body as DutyBody;
    const responder = dispatch.setDuty(me.id, onDuty);
    audit.write({ actor: me.actor.label, action: onDuty ? 'responder.on_duty' : 'responder.off_duty', target: me.username, remote: req.ip });
    return { responder };
  });

  app.post('/api/responder/position', opts({ body: PositionBody, response: { 200: ResponderSavedResponse } }), async (req): Promise<ResponderSavedResponse> => {
    const me = requirePermission(deps.sessions, req, 'responder.self');
    return { responder: dispatch.reportPosition(me.id, req.body as PositionBody) };
  });

  app.post('/api/responder/jobs/:id/status', opts({ params: IdParams, body: JobStatusBody, response: { 200: JobSavedResponse } }), async (req): Promise<JobSavedResponse> => {
    const me = requirePermission(deps.sessions, req, 'responder.self');
    const { id } = req.params as { id: number };
    const body = req.body as JobStatusBody;
    try {
      return { job: dispatch.setStatus(id, me.id, body.status, { note: body.note, reason: body.reason }) };
    } catch (error) {
      if (error instanceof AppError && error.code === ErrorCode.NotYourJob) {
        audit.write({ actor: me.actor.label, action: 'dispatch.status', target: String(id), outcome: 'refused', detail: { code: error.code, status: body.status }, remote: req.ip });
      }
      throw error;
    }
  });

  app.get('/api/responder/jobs/:id/snapshot', opts({ params: IdParams }), async (req, reply) => {
    const me = requirePermission(deps.sessions, req, 'responder.self');
    const snap = dispatch.snapshotOf((req.params as { id: number }).id, me.id);
    const file = path.join(deps.mediaDir, snap.file);
    if (!fs.existsSync(file)) throw new AppError(ErrorCode.NotFound, 'the snapshot file is missing');
    audit.write({ actor: me.actor.label, action: 'evidence.view', target: snap.callId, detail: { as: 'responder', kind: 'snapshot' }, remote: req.ip });
    reply.header('content-type', snap.mime).header('cache-control', 'private, no-store');
    return reply.send(fs.createReadStream(file));
  });

  // ---- the response-time report (supervisor, admin) ----
  const report = (q: ReportQuery): ResponseTimeReportResponse => {
    const period: Period = q.period ?? 'day';
    const to = q.to ?? Date.now() + 1;
    const from = q.from ?? periodStart(to - 30 * DAY_MS, period);
    if (to <= from) throw new AppError(ErrorCode.BadRequest, '"to" must be after "from"');
    if (to - from > 400 * DAY_MS) throw new AppError(ErrorCode.BadRequest, 'ask for at most 400 days at once');
    const rows = deps.responseTimes.rows(from, to, q.terminalId);
    return {
      period,
      from,
      to,
      targetMs: deps.responseTargetMs,
      rows: buildReport(rows, { period, byTerminal: q.byTerminal ?? false, targetMs: deps.responseTargetMs }),
    };
  };
  app.get('/api/reports/response-times', opts({ querystring: ReportQuery, response: { 200: ResponseTimeReportResponse } }), async (req): Promise<ResponseTimeReportResponse> => {
    const user = requirePermission(deps.sessions, req, 'reports.read');
    const r = report(req.query as ReportQuery);
    audit.write({ actor: user.actor.label, action: 'report.response_times', target: null, detail: { period: r.period, from: r.from, to: r.to }, remote: req.ip });
    return r;
  });
  app.get('/api/reports/response-times.csv', opts({ querystring: ReportQuery }), async (req, reply) => {
    const user = requirePermission(deps.sessions, req, 'reports.read');
    const r = report(req.query as ReportQuery);
    audit.write({ actor: user.actor.label, action: 'report.response_times', target: null, detail: { period: r.period, from: r.from, to: r.to, csv: true }, remote: req.ip });
    reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="response-times-${r.period}.csv"`);
    return reportCsv(r.rows, r.targetMs);
  });
}
