import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { AppError, DistrictMediaResponse, DistrictStateResponse, EmptyResponse, ErrorCode } from '@helppoint/shared';
import type { AuditRepo } from '../db/AuditRepo.ts';
import type { SessionRepo } from '../db/SessionRepo.ts';
import type { SignedInUser } from '../routes/authRoutes.ts';
import { requirePermission } from '../routes/guard.ts';
import { strictSchema } from '../routes/strictSchema.ts';
import type { DistrictService } from './DistrictService.ts';

export interface DistrictRouteDeps {
  district: Pick<DistrictService, 'snapshot' | 'call' | 'answer' | 'hangup' | 'lookin'>;
  sessions: SessionRepo;
  audit: AuditRepo;
}

const StationParams = Type.Object({ station: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,31}$' }), id: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });

/**
 * The district relay's REST side: the desk's picture, and answer / hang up /
 * look in at the owning station (which decides; DistrictService carries the
 * command over NATS). Responses are the shared schemas, so what a station
 * put in its presence or call events beyond them does not reach the browser.
 */
export function registerDistrictRoutes(app: FastifyInstance, deps: DistrictRouteDeps): void {
  const { district, sessions, audit } = deps;
  const officerOf = (u: SignedInUser) => ({ username: u.username, displayName: u.displayName });
  const opts = (response: Record<number, unknown>) => ({ schema: { params: StationParams, response }, validatorCompiler: strictSchema });

  app.get('/api/district/state', { schema: { response: { 200: DistrictStateResponse } } }, async (req): Promise<DistrictStateResponse> => {
    requirePermission(sessions, req, 'calls.read');
    return district.snapshot();
  });

  app.post('/api/district/calls/:station/:id/answer', opts({ 200: DistrictMediaResponse }), async (req): Promise<DistrictMediaResponse> => {
    const user = requirePermission(sessions, req, 'calls.answer');
    const { station, id } = req.params as { station: string; id: string };
    if (!district.call(station, id)) throw new AppError(ErrorCode.CallNotFound, `no open call ${id} at ${station}`);
    const media = await district.answer(station, id, officerOf(user));
    audit.write({ actor: `user:${user.username}`, action: 'district.call.answer', target: `${station}/${id}`, remote: req.ip });
    return { media };
  });

  app.post('/api/district/calls/:station/:id/hangup', opts({ 200: EmptyResponse }), async (req): Promise<EmptyResponse> => {
    const user = requirePermission(sessions, req, 'calls.answer');
    const { station, id } = req.params as { station: string; id: string };
    await district.hangup(station, id, officerOf(user));
    return {};
  });

  app.post('/api/district/terminals/:station/:id/lookin', opts({ 200: DistrictMediaResponse }), async (req): Promise<DistrictMediaResponse> => {
    const user = requirePermission(sessions, req, 'calls.answer');
    const { station, id } = req.params as { station: string; id: string };
    const media = await district.lookin(station, id, officerOf(user));
    audit.write({ actor: `user:${user.username}`, action: 'district.camera.lookin', target: `${station}/${id}`, remote: req.ip });
    return { media };
  });
}
