import type { FastifyRequest } from 'fastify';
import type { SessionRepo } from '../db/SessionRepo.ts';
import { assertMay, type Permission } from '../trust/roles.ts';
import { userActor, type Actor } from '../trust/Actor.ts';
import { requireUser, type SignedInUser } from './authRoutes.ts';

/** The signed-in user, refused with forbidden unless their role has `permission`. */
export function requirePermission(sessions: SessionRepo, req: FastifyRequest, permission: Permission): SignedInUser & { actor: Actor } {
  const user = requireUser(sessions, req);
  assertMay(user, permission);
  return { ...user, actor: userActor(user, req.ip) };
}
