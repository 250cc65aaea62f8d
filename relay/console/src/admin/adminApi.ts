import { call, errorOf } from '../api.ts';

import type {
  AccountSavedResponse,
  AccountView,
  AuditEntryView,
  AuditResponse,
  EmptyResponse,
  EnrolmentCodeResponse,
  EnrolmentsResponse,
  EnrolmentView,
  MeResponse,
  Permission,
  RevokedResponse,
  TerminalSavedResponse,
  TerminalsResponse,
  TerminalView,
  UnlockResponse,
  UsersResponse,
} from '@helppoint/shared/types';

// Types from the shared REST response schemas the relay serialises with.
export type { Permission };
export type TerminalRecord = TerminalView;
export type Enrolment = EnrolmentView;
export type Account = AccountView;
export type AuditEntry = AuditEntryView;

async function json<T>(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<T> {
  const { status, json } = await call(method, path, body);
  if (status < 200 || status >= 300) throw errorOf(status, json);
  return json as T;
}

export const adminApi = {
  permissions: async () => (await json<MeResponse>('GET', '/api/me')).permissions,
  terminals: async () => (await json<TerminalsResponse>('GET', '/api/terminals')).terminals,
  enrolments: async () => (await json<EnrolmentsResponse>('GET', '/api/enrolments')).terminals,
  createTerminal: (t: Omit<TerminalRecord, 'online' | 'lastSeenAt'>) => json<TerminalSavedResponse>('POST', '/api/terminals', t),
  editTerminal: (id: string, patch: Partial<TerminalRecord>) => json<TerminalSavedResponse>('PATCH', `/api/terminals/${encodeURIComponent(id)}`, patch),
  enrolmentCode: (id: string) => json<EnrolmentCodeResponse>('POST', `/api/terminals/${encodeURIComponent(id)}/enrolment-code`, {}),
  revoke: (id: string, reason: string) => json<RevokedResponse>('POST', `/api/terminals/${encodeURIComponent(id)}/revoke`, { reason }),
  users: async () => (await json<UsersResponse>('GET', '/api/users')).users,
  createUser: (u: { username: string; displayName: string; role: string; password: string }) => json<AccountSavedResponse>('POST', '/api/users', u),
  editUser: (id: number, patch: { role?: string; disabled?: boolean; displayName?: string }) => json<AccountSavedResponse>('PATCH', `/api/users/${id}`, patch),
  resetPassword: (id: number, password: string) => json<EmptyResponse>('POST', `/api/users/${id}/password`, { password }),
  unlockUser: (id: number) => json<UnlockResponse>('POST', `/api/users/${id}/unlock`),
  changePassword: (currentPassword: string, newPassword: string) => json<EmptyResponse>('POST', '/api/me/password', { currentPassword, newPassword }),
  audit: async (beforeId?: number) => (await json<AuditResponse>('GET', `/api/audit?limit=100${beforeId ? `&beforeId=${beforeId}` : ''}`)).entries,
};
