import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { AppError, ErrorCode, MeResponse } from '@helppoint/shared';
import type { SessionRepo } from '../db/SessionRepo.ts';
import type { UserRepo } from '../db/UserRepo.ts';
import { SESSION_COOKIE, SESSION_TTL_MS, parseCookies, sessionCookie } from './cookies.ts';
import type { AuditRepo } from '../db/AuditRepo.ts';
import type { LoginGuard } from '../trust/LoginGuard.ts';
import { permissionsOf } from '../trust/roles.ts';

export interface AuthDeps {
  users: UserRepo;
  sessions: SessionRepo;
  secureCookies: boolean;
  guard: LoginGuard;
  audit: AuditRepo;
}

export interface SignedInUser {
  id: number;
  username: string;
  displayName: string;
  role: string;
}

/** The user behind a request's session cookie, or null. */
export function userFromCookie(sessions: SessionRepo, cookieHeader: string | undefined): SignedInUser | null {
  const token = parseCookies(cookieHeader).get(SESSION_COOKIE);
  if (!token) return null;
  const found = sessions.resolve(token);
  if (!found) return null;
  const u = found.user;
  return { id: u.id, username: u.username, displayName: u.displayName, role: u.role };
}

export function requireUser(sessions: SessionRepo, req: FastifyRequest): SignedInUser {
  const user = userFromCookie(sessions, req.headers.cookie);
  if (!user) throw new AppError(ErrorCode.Unauthenticated, 'sign in first');
  return user;
}

const LoginBody = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false },
);

export function registerAuthRoutes(app: FastifyInstance, deps: AuthDeps): void {
  const log = app.log.child({ component: 'auth' });
  app.post('/api/login', { schema: { body: LoginBody, response: { 200: MeResponse } } }, async (req, reply) => {
    const { username, password } = req.body as { username: string; password: string };
    const attempt = { account: username, address: req.ip };
    try {
      deps.guard.check(attempt);
    } catch (error) {
      log.warn({ username, remote: req.ip }, 'sign-in rate-limited');
      deps.audit.write({ actor: 'anonymous', action: 'user.login', target: username, outcome: 'refused', detail: { code: ErrorCode.TooManyAttempts }, remote: req.ip });
      throw error;
    }
    const user = await deps.users.verifyPassword(username, password);
    if (!user) {
      deps.guard.failed(attempt);
      log.warn({ username, remote: req.ip }, 'sign-in refused');
      deps.audit.write({ actor: 'anonymous', action: 'user.login', target: username, outcome: 'refused', detail: { code: ErrorCode.InvalidCredentials }, remote: req.ip });
      throw new AppError(ErrorCode.InvalidCredentials, 'wrong username or password');
    }
    deps.guard.succeeded(username);
    deps.audit.write({ actor: `user:${user.username}`, action: 'user.login', target: user.username, remote: req.ip });
    const token = deps.sessions.create(user.id, SESSION_TTL_MS);
    log.info({ userId: user.id, username, remote: req.ip }, 'signed in');
    reply.header('set-cookie', sessionCookie(token, { secure: deps.secureCookies, maxAgeS: SESSION_TTL_MS / 1000 }));
    return { user: { id: user.id, username: user.username, displayName: user.displayName, role: user.role }, permissions: permissionsOf(user.role) };
  });

  app.post('/api/logout', async (req, reply) => {
    const token = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
    if (token) deps.sessions.revoke(token);
    reply.header('set-cookie', sessionCookie('', { secure: deps.secureCookies, maxAgeS: 0 }));
    return {};
  });

  app.get('/api/me', { schema: { response: { 200: MeResponse } } }, async (req) => {
    const user = requireUser(deps.sessions, req);
    return { user, permissions: permissionsOf(user.role) };
  });
}
