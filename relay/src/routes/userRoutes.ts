import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { AccountSavedResponse, AppError, EmptyResponse, ErrorCode, LoginThrottleResponse, UnlockResponse, UsersResponse } from '@helppoint/shared';
import type { AuditRepo } from '../db/AuditRepo.ts';
import { isDbError } from '../db/DbError.ts';
import type { SessionRepo } from '../db/SessionRepo.ts';
import { USER_ROLES, type UserRecord, type UserRepo, type UserRole } from '../db/UserRepo.ts';
import type { LoginThrottle } from '../security/LoginThrottle.ts';
import type { KnownDevices } from '../security/KnownDevices.ts';
import { checkNewPassword } from '../trust/passwordPolicy.ts';
import { requireUser } from './authRoutes.ts';
import { SESSION_TTL_MS, sessionCookie } from './cookies.ts';
import { requirePermission } from './guard.ts';

export interface UserRouteDeps {
  users: UserRepo;
  sessions: SessionRepo;
  audit: AuditRepo;
  guard: LoginThrottle;
  devices: KnownDevices;
  secureCookies: boolean;
  /** Cuts a user's open console sockets (the ConsoleGateway's closeUser). */
  closeConsoles: (userId: number, reason: string) => void;
}

const Role = Type.Union(USER_ROLES.map((r) => Type.Literal(r)));
const Password = Type.String({ minLength: 1, maxLength: 256 });
const CreateBody = Type.Object(
  {
    username: Type.String({ pattern: '^[A-Za-z0-9._-]{2,32}$' }),
    displayName: Type.String({ minLength: 1, maxLength: 64 }),
    role: Role,
    password: Password,
  },
  { additionalProperties: false },
);
const PatchBody = Type.Object(
  { displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })), role: Type.Optional(Role), disabled: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, minProperties: 1 },
);
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const ResetBody = Type.Object({ password: Password }, { additionalProperties: false });
const ChangeBody = Type.Object({ currentPassword: Password, newPassword: Password }, { additionalProperties: false });

const view = (u: UserRecord) => ({ id: u.id, username: u.username, displayName: u.displayName, role: u.role, disabled: u.disabled, createdAt: u.createdAt });

/** Accounts (admins) and everyone's own password. */
export function registerUserRoutes(app: FastifyInstance, deps: UserRouteDeps): void {
  const log = app.log.child({ component: 'accounts' });

  app.get('/api/users', { schema: { response: { 200: UsersResponse } } }, async (req): Promise<UsersResponse> => {
    requirePermission(deps.sessions, req, 'users.manage');
    return { users: deps.users.list().map(view) };
  });

  app.post('/api/users', { schema: { body: CreateBody, response: { 201: AccountSavedResponse } } }, async (req, reply): Promise<AccountSavedResponse> => {
    const admin = requirePermission(deps.sessions, req, 'users.manage');
    const body = req.body as { username: string; displayName: string; role: UserRole; password: string };
    checkNewPassword(body.password, body.username);
    let created: UserRecord;
    try {
      created = await deps.users.create(body);
    } catch (error) {
      if (isDbError(error, 'username_taken')) throw new AppError(ErrorCode.Conflict, `username ${body.username} is taken`);
      throw error;
    }
    deps.audit.write({ actor: admin.actor.label, action: 'user.create', target: created.username, detail: { role: created.role }, remote: req.ip });
    log.info({ by: admin.username, username: created.username, role: created.role }, 'account created');
    reply.status(201);
    return { user: view(created) };
  });

  app.patch('/api/users/:id', { schema: { params: IdParams, body: PatchBody, response: { 200: AccountSavedResponse } } }, async (req): Promise<AccountSavedResponse> => {
    const admin = requirePermission(deps.sessions, req, 'users.manage');
    const { id } = req.params as { id: number };
    const patch = req.body as { displayName?: string; role?: UserRole; disabled?: boolean };
    const target = deps.users.get(id);
    if (!target) throw new AppError(ErrorCode.NotFound, `no user ${id}`);
    // An admin who disables or demotes themself could leave the station with no admin at all.
    if (id === admin.id && (patch.disabled === true || (patch.role !== undefined && patch.role !== 'admin'))) {
      throw new AppError(ErrorCode.Conflict, 'you cannot disable or demote your own account');
    }
    if (patch.displayName !== undefined) deps.users.setDisplayName(id, patch.displayName);
    if (patch.role !== undefined) deps.users.setRole(id, patch.role);
    if (patch.disabled !== undefined) deps.users.setDisabled(id, patch.disabled);
    if (patch.disabled === true) deps.sessions.revokeAllForUser(id);
    // Open sockets carry the role and identity they were opened with: cut them so the new state applies now.
    if (patch.disabled === true) deps.closeConsoles(id, ErrorCode.AccountDisabled);
    else if (patch.role !== undefined && patch.role !== target.role) deps.closeConsoles(id, 'role_changed');
    const action = patch.disabled === true ? 'user.disable' : patch.disabled === false ? 'user.enable' : 'user.edit';
    deps.audit.write({ actor: admin.actor.label, action, target: target.username, detail: { ...patch, previousRole: target.role }, remote: req.ip });
    log.info({ by: admin.username, username: target.username, ...patch }, 'account changed');
    return { user: view(deps.users.get(id)!) };
  });

  app.post('/api/users/:id/password', { schema: { params: IdParams, body: ResetBody, response: { 200: EmptyResponse } } }, async (req): Promise<EmptyResponse> => {
    const admin = requirePermission(deps.sessions, req, 'users.manage');
    const { id } = req.params as { id: number };
    const { password } = req.body as { password: string };
    const target = deps.users.get(id);
    if (!target) throw new AppError(ErrorCode.NotFound, `no user ${id}`);
    checkNewPassword(password, target.username);
    await deps.users.setPassword(id, password);
    deps.sessions.revokeAllForUser(id);
    deps.closeConsoles(id, 'password_reset');
    deps.audit.write({ actor: admin.actor.label, action: 'user.password_reset', target: target.username, remote: req.ip });
    return {};
  });

  // Admin unlock: sign-in back-off ends at once for an account (and, optionally, an address).
  app.get('/api/login-throttle', { schema: { response: { 200: LoginThrottleResponse } } }, async (req): Promise<LoginThrottleResponse> => {
    requirePermission(deps.sessions, req, 'users.manage');
    return deps.guard.blocked();
  });

  app.post('/api/users/:id/unlock', { schema: { params: IdParams, response: { 200: UnlockResponse } } }, async (req): Promise<UnlockResponse> => {
    const admin = requirePermission(deps.sessions, req, 'users.manage');
    const target = deps.users.get((req.params as { id: number }).id);
    if (!target) throw new AppError(ErrorCode.NotFound, 'no such user');
    const cleared = deps.guard.unlockAccount(target.username);
    deps.audit.write({ actor: admin.actor.label, action: 'user.unlock', target: target.username, detail: { cleared }, remote: req.ip });
    log.info({ userId: target.id, cleared }, 'sign-in back-off cleared by an admin');
    return { cleared };
  });

  app.post('/api/login-throttle/unlock-address', { schema: { body: Type.Object({ address: Type.String({ minLength: 2, maxLength: 64 }) }, { additionalProperties: false }), response: { 200: UnlockResponse } } }, async (req): Promise<UnlockResponse> => {
    const admin = requirePermission(deps.sessions, req, 'users.manage');
    const { address } = req.body as { address: string };
    const cleared = deps.guard.unlockAddress(address);
    deps.audit.write({ actor: admin.actor.label, action: 'address.unlock', target: address, detail: { cleared }, remote: req.ip });
    return { cleared };
  });

  app.post('/api/me/password', { schema: { body: ChangeBody, response: { 200: EmptyResponse } } }, async (req, reply): Promise<EmptyResponse> => {
    const me = requireUser(deps.sessions, req);
    const { currentPassword, newPassword } = req.body as { currentPassword: string; newPassword: string };
    const attempt = deps.guard.begin({ account: me.username, address: req.ip, trustedDevice: deps.devices.trusted(req, me.username) });
    let ok = false;
    try {
      ok = (await deps.users.verifyPassword(me.username, currentPassword)) !== null;
    } finally {
      if (ok) attempt.succeeded();
      else attempt.failed();
    }
    if (!ok) {
      deps.audit.write({ actor: `user:${me.username}`, action: 'user.password_change', target: me.username, outcome: 'refused', detail: { code: ErrorCode.InvalidCredentials }, remote: req.ip });
      throw new AppError(ErrorCode.InvalidCredentials, 'the current password is wrong');
    }
    checkNewPassword(newPassword, me.username);
    await deps.users.setPassword(me.id, newPassword);
    // Every other session ends; this browser gets a fresh one.
    deps.sessions.revokeAllForUser(me.id);
    deps.closeConsoles(me.id, 'password_changed');
    const token = deps.sessions.create(me.id, SESSION_TTL_MS);
    reply.header('set-cookie', sessionCookie(token, { secure: deps.secureCookies, maxAgeS: SESSION_TTL_MS / 1000 }));
    deps.audit.write({ actor: `user:${me.username}`, action: 'user.password_change', target: me.username, remote: req.ip });
    return {};
  });
}
