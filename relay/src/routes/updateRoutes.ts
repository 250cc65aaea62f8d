import fs from 'node:fs';
import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { AppError, ErrorCode, KioskPackageSavedResponse, KioskPackagesResponse, LocationId, RolloutsResponse, Sha256, type KioskPackageSavedResponse as Saved } from '@helppoint/shared';
import type { SessionRepo } from '../db/SessionRepo.ts';
import type { RequestDeadlines } from '../security/RequestDeadlines.ts';
import type { KioskUpdates } from '../updates/KioskUpdates.ts';
import { pacedBody, uploadAllowanceMs, type UploadPace } from '../updates/uploadPace.ts';
import { requirePermission } from './guard.ts';
import { strictSchema } from './strictSchema.ts';

export interface UpdateRouteDeps {
  sessions: SessionRepo;
  updates: KioskUpdates;
  /** Gives an authorised upload the time its size needs (every other request keeps the normal 30 s). */
  deadlines: RequestDeadlines;
  pace: UploadPace;
}

/** Content types an upload may carry: what browsers and curl send for a .deb. */
const PACKAGE_TYPES = ['application/octet-stream', 'application/vnd.debian.binary-package', 'application/x-debian-package'];

const RolloutBody = Type.Object({ sha256: Sha256, terminalIds: Type.Array(LocationId, { minItems: 1, maxItems: 2000 }) }, { additionalProperties: false });
const DownloadParams = Type.Object({ sha256: Sha256 });
// All optional: a link without its token (or with half of it) is download_token_invalid, not a schema error.
const DownloadQuery = Type.Object(
  { terminal: Type.Optional(Type.String({ maxLength: 64 })), exp: Type.Optional(Type.Integer({ minimum: 0 })), token: Type.Optional(Type.String({ maxLength: 128 })) },
  { additionalProperties: false },
);

/**
 * Kiosk updates (issue 10): admins upload packages, admins and technicians
 * roll them out; terminals download with the signed link of their offer.
 */
export function registerUpdateRoutes(app: FastifyInstance, deps: UpdateRouteDeps): void {
  // A scope of its own: only here is a request body a raw stream (to disk, never buffered).
  void app.register(async (scope) => {
    scope.addContentTypeParser(PACKAGE_TYPES, (_req, payload, done) => done(null, payload));

    scope.put('/api/updates/packages', { schema: { response: { 200: KioskPackageSavedResponse, 201: KioskPackageSavedResponse } } }, async (req, reply): Promise<Saved> => {
      const user = requirePermission(deps.sessions, req, 'updates.upload');
      const body = req.body as Readable | undefined;
      if (!body || typeof body.pipe !== 'function') {
        throw new AppError(ErrorCode.PackageInvalid, `send the .deb as the body with content-type ${PACKAGE_TYPES[0]}`);
      }
      const header = req.headers['content-length'] === undefined ? null : Number(req.headers['content-length']);
      const declared = header !== null && Number.isFinite(header) ? header : null;
      // Only now, with an admin known: a large package over a slow link needs longer than a request normally gets,
      // bounded by its size (or the cap, when sent chunked) at the slowest pace the relay accepts.
      deps.deadlines.extend(req.raw, uploadAllowanceMs(Math.min(declared ?? deps.updates.maxPackageBytes, deps.updates.maxPackageBytes), deps.pace));
      const paced = pacedBody(body, deps.pace);
      try {
        const { pkg, created } = await deps.updates.upload(paced.body, declared, { label: user.actor.label, remote: req.ip });
        reply.status(created ? 201 : 200);
        return { package: pkg, created };
      } catch (error) {
        // The rest of a too-slow body is not waited for: answer, then close the socket.
        if (error instanceof AppError && error.code === ErrorCode.UploadTooSlow) reply.header('connection', 'close');
        throw error;
      } finally {
        paced.stop();
      }
    });
  });

  app.get('/api/updates/packages', { schema: { response: { 200: KioskPackagesResponse } } }, async (req) => {
    requirePermission(deps.sessions, req, 'updates.rollout');
    return { packages: deps.updates.packages() };
  });

  app.get('/api/updates/rollouts', { schema: { response: { 200: RolloutsResponse } } }, async (req) => {
    requirePermission(deps.sessions, req, 'updates.rollout');
    return { rollouts: deps.updates.rollouts() };
  });

  app.post('/api/updates/rollouts', { schema: { body: RolloutBody, response: { 200: RolloutsResponse } }, validatorCompiler: strictSchema }, async (req) => {
    const user = requirePermission(deps.sessions, req, 'updates.rollout');
    const { sha256, terminalIds } = req.body as { sha256: string; terminalIds: string[] };
    return { rollouts: deps.updates.rollOut(sha256, terminalIds, { label: user.actor.label, remote: req.ip }) };
  });

  // No session: a terminal has none. The signed link in its offer is the credential.
  app.get('/api/updates/download/:sha256', { schema: { params: DownloadParams, querystring: DownloadQuery }, validatorCompiler: strictSchema }, async (req, reply) => {
    const { sha256 } = req.params as { sha256: string };
    const q = req.query as { terminal?: string; exp?: number; token?: string };
    const found = deps.updates.download({ sha256, terminal: q.terminal ?? '', exp: q.exp ?? Number.NaN, token: q.token ?? '' }, req.ip);
    reply.header('content-type', 'application/vnd.debian.binary-package');
    reply.header('content-length', String(found.size));
    reply.header('cache-control', 'no-store');
    return reply.send(fs.createReadStream(found.file));
  });
}
