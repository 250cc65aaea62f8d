import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { AppError, EnrolResponse, EnrolmentCodeResponse, EnrolmentsResponse, ErrorCode, LocationId, RevokedResponse } from '@helppoint/shared';
import type { EnrolmentCodeRepo } from '../db/EnrolmentCodeRepo.ts';
import type { SessionRepo } from '../db/SessionRepo.ts';
import type { TerminalKeyRepo } from '../db/TerminalKeyRepo.ts';
import type { TerminalRepo } from '../db/TerminalRepo.ts';
import { anonymousActor } from '../trust/Actor.ts';
import { DEFAULT_CODE_TTL_MS, type EnrolmentService } from '../trust/EnrolmentService.ts';
import type { LoginThrottle } from '../security/LoginThrottle.ts';
import { requirePermission } from './guard.ts';

export interface EnrolmentRouteDeps {
  sessions: SessionRepo;
  terminals: TerminalRepo;
  keys: TerminalKeyRepo;
  codes: EnrolmentCodeRepo;
  enrolment: EnrolmentService;
  guard: LoginThrottle;
}

const EnrolBody = Type.Object(
  { code: Type.String({ minLength: 1, maxLength: 32 }), publicKey: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);
const IdParams = Type.Object({ id: LocationId });
const CodeBody = Type.Object({ ttlHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 168 })) }, { additionalProperties: false });
const RevokeBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });

/** Enrolment codes, the Pi's enrolment call, the key list and revocation. */
export function registerEnrolmentRoutes(app: FastifyInstance, deps: EnrolmentRouteDeps): void {
  // The Pi has no account: the one-time code is its credential, so guessing is rate-limited per address.
  app.post('/api/enrol', { schema: { body: EnrolBody, response: { 200: EnrolResponse } } }, async (req): Promise<EnrolResponse> => {
    const { code, publicKey } = req.body as { code: string; publicKey: string };
    const attempt = deps.guard.begin({ address: req.ip });
    try {
      const { terminal, keyFingerprint } = deps.enrolment.redeem(code, publicKey, anonymousActor(req.ip));
      attempt.succeeded();
      return {
        terminalId: terminal.id,
        keyFingerprint,
        terminal: { name: terminal.name, nameEn: terminal.nameEn, address: terminal.address },
      };
    } catch (error) {
      if (error instanceof AppError && error.code === ErrorCode.BadPublicKey) attempt.succeeded();
      else attempt.failed();
      throw error;
    }
  });

  app.get('/api/enrolments', { schema: { response: { 200: EnrolmentsResponse } } }, async (req): Promise<EnrolmentsResponse> => {
    requirePermission(deps.sessions, req, 'terminals.manage');
    const now = Date.now();
    return {
      terminals: deps.keys.list().map((k) => {
        const pending = deps.codes.pendingFor(k.terminalId, now);
        return {
          terminalId: k.terminalId,
          state: k.state,
          keyFingerprint: k.keyFingerprint,
          enrolledAt: k.enrolledAt,
          revokedAt: k.revokedAt,
          pendingCodeExpiresAt: pending?.expiresAt ?? null,
        };
      }),
    };
  });

  app.post('/api/terminals/:id/enrolment-code', { schema: { params: IdParams, body: CodeBody, response: { 200: EnrolmentCodeResponse } } }, async (req, reply): Promise<EnrolmentCodeResponse> => {
    const user = requirePermission(deps.sessions, req, 'terminals.manage');
    const { id } = req.params as { id: string };
    const { ttlHours } = (req.body ?? {}) as { ttlHours?: number };
    const created = deps.enrolment.createCode(id, user.actor, ttlHours ? ttlHours * 3600_000 : DEFAULT_CODE_TTL_MS);
    reply.header('cache-control', 'no-store');
    return created;
  });

  app.post('/api/terminals/:id/revoke', { schema: { params: IdParams, body: RevokeBody, response: { 200: RevokedResponse } } }, async (req): Promise<RevokedResponse> => {
    const user = requirePermission(deps.sessions, req, 'terminals.manage');
    const { id } = req.params as { id: string };
    deps.enrolment.revoke(id, user.actor, (req.body as { reason: string }).reason);
    return { terminal: deps.keys.get(id) };
  });
}
