import type { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { AppError, CallId, ErrorCode } from '@helppoint/shared';
import type { PrePressClips } from '../calls/PrePressClips.ts';
import { strictSchema } from './strictSchema.ts';

const Params = Type.Object({ id: CallId });
// All optional: a link without its token (or with half of it) is prepress_token_invalid, not a schema error.
const Query = Type.Object(
  {
    terminal: Type.Optional(Type.String({ maxLength: 64 })),
    before: Type.Optional(Type.Integer({ minimum: 0 })),
    exp: Type.Optional(Type.Integer({ minimum: 0 })),
    token: Type.Optional(Type.String({ maxLength: 128 })),
  },
  { additionalProperties: false },
);
const Saved = Type.Object({ mediaId: Type.Integer(), bytes: Type.Integer(), createdAt: Type.Integer() });

/**
 * The terminal's pre-press clip (issue 15). No session: a terminal has none;
 * the signed link from call.prePressGrant is the credential. The body is
 * streamed to disk (capped), never buffered.
 */
export function registerPrePressRoutes(app: FastifyInstance, deps: { clips: PrePressClips }): void {
  void app.register(async (scope) => {
    scope.addContentTypeParser('video/webm', (_req, payload, done) => done(null, payload));
    scope.post('/api/calls/:id/prepress', { schema: { params: Params, querystring: Query, response: { 201: Saved } }, validatorCompiler: strictSchema }, async (req, reply) => {
      const body = req.body as Readable | undefined;
      if (!body || typeof body.pipe !== 'function') throw new AppError(ErrorCode.PrePressNotWebm, 'send the clip as the body with content-type video/webm');
      const q = req.query as { terminal?: string; before?: number; exp?: number; token?: string };
      const declared = req.headers['content-length'] === undefined ? null : Number(req.headers['content-length']);
      const row = await deps.clips.store(
        { callId: (req.params as { id: string }).id, terminal: q.terminal ?? '', before: q.before ?? Number.NaN, exp: q.exp ?? Number.NaN, token: q.token ?? '' },
        body,
        Number.isFinite(declared) ? declared : null,
        req.ip,
      );
      reply.status(201);
      return { mediaId: row.id, bytes: row.bytes, createdAt: row.createdAt };
    });
  });
}
