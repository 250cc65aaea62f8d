import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { AppError, EmptyResponse, ErrorCode, MeResponse } from '@helppoint/shared';
import { hashSessionToken, type SessionRepo } from '../db/SessionRepo.ts';
import type { UserRepo } from '../db/UserRepo.ts';
import { SESSION_COOKIE, SESSION_TTL_MS, parseCookies, sessionCookie } from './cookies.ts';
import type { AuditRepo } from '../db/AuditRepo.ts';
import type { LoginThrottle } from '../security/LoginThrottle.ts';
import type { KnownDevices } from '../security/KnownDevices.ts';
import type { SessionSockets } from '../security/SessionSockets.ts';
import { permissionsOf } from '../trust/roles.ts';

export interface AuthDeps {
  users: UserRepo;
  sessions: SessionRepo;
  secureCookies: boolean;
  guard: LoginThrottle;
  audit: AuditRepo;
  devices: KnownDevices;
  sockets: SessionSockets;
  /** Closes every console socket of a user (log out everywhere). */
  closeConsoles: (userId: number, reason: string) => void;
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
    let attempt;
    try {
      // Checked and counted in one step before the slow hash: parallel guesses cannot all pass.
      attempt = deps.guard.begin({ account: username, address: req.ip, trustedDevice: deps.devices.trusted(req, username) });
    } catch (error) {
      log.warn({ username, remote: req.ip }, 'sign-in rate-limited');
      deps.audit.write({ actor: 'anonymous', action: 'user.login', target: username, outcome: 'refused', detail: { code: ErrorCode.TooManyAttempts }, remote: req.ip });
      throw error;
    }
    let user;
    try {
      user = await deps.users.verifyPassword(username, password);
    } finally {
      if (!user) attempt.failed();
    }
    if (!user) {
      log.warn({ username, remote: req.ip }, 'sign-in refused');
      deps.audit.write({ actor: 'anonymous', action: 'user.login', target: username, outcome: 'refused', detail: { code: ErrorCode.InvalidCredentials }, remote: req.ip });
      throw new AppError(ErrorCode.InvalidCredentials, 'wrong username or password');
    }
    attempt.succeeded();
    deps.devices.remember(req, reply, user.username);
    deps.audit.write({ actor: `user:${user.username}`, action: 'user.login', target: user.username, remote: req.ip });
    const token = deps.sessions.create(user.id, SESSION_TTL_MS);
    log.info({ userId: user.id, username, remote: req.ip }, 'signed in');
    reply.header('set-cookie', sessionCookie(token, { secure: deps.secureCookies, maxAgeS: SESSION_TTL_MS / 1000 }));
    return { user: { id: user.id, username: user.username, displayName: user.displayName, role: user.role }, permissions: permissionsOf(user.role) };
  });

  // Logging out ends the session everywhere it is used: its open console sockets close at once.
  // ?everywhere=1 ends every session of the account (a lost phone, a shared desk left signed in).
  app.post('/api/logout', { schema: { response: { 200: EmptyResponse } } }, async (req, reply): Promise<EmptyResponse> => {
    const token = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
    const everywhere = (req.query as { everywhere?: string }).everywhere === '1';
    if (token) {
      const found = everywhere ? deps.sessions.resolve(token) : null;
      deps.sessions.revoke(token);
      deps.sockets.closeSession(hashSessionToken(token), 'logged_out');
      if (found) {
        deps.sessions.revokeAllForUser(found.user.id);
        deps.closeConsoles(found.user.id, 'logged_out');
        deps.audit.write({ actor: `user:${found.user.username}`, action: 'user.logout_everywhere', target: found.user.username, remote: req.ip });
      }
    }
    reply.header('set-cookie', sessionCookie('', { secure: deps.secureCookies, maxAgeS: 0 }));
    return {};
  });

  app.get('/api/me', { schema: { response: { 200: MeResponse } } }, async (req) => {
    const user = requireUser(deps.sessions, req);
    return { user, permissions: permissionsOf(user.role) };
  });
}
