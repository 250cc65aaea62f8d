import { call, errorOf } from '../api.ts';

import type { AccountView, AuditEntryView, EnrolmentView, Permission, TerminalView } from '@helppoint/shared/types';

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
  permissions: async () => (await json<{ permissions: Permission[] }>('GET', '/api/me')).permissions,
  terminals: async () => (await json<{ terminals: TerminalRecord[] }>('GET', '/api/terminals')).terminals,
  enrolments: async () => (await json<{ terminals: Enrolment[] }>('GET', '/api/enrolments')).terminals,
  createTerminal: (t: Omit<TerminalRecord, 'online' | 'lastSeenAt'>) => json<{ terminal: TerminalRecord }>('POST', '/api/terminals', t),
  editTerminal: (id: string, patch: Partial<TerminalRecord>) => json<{ terminal: TerminalRecord }>('PATCH', `/api/terminals/${encodeURIComponent(id)}`, patch),
  enrolmentCode: (id: string) => json<{ code: string; expiresAt: number }>('POST', `/api/terminals/${encodeURIComponent(id)}/enrolment-code`, {}),
  revoke: (id: string, reason: string) => json<unknown>('POST', `/api/terminals/${encodeURIComponent(id)}/revoke`, { reason }),
  users: async () => (await json<{ users: Account[] }>('GET', '/api/users')).users,
  createUser: (u: { username: string; displayName: string; role: string; password: string }) => json<{ user: Account }>('POST', '/api/users', u),
  editUser: (id: number, patch: { role?: string; disabled?: boolean; displayName?: string }) => json<{ user: Account }>('PATCH', `/api/users/${id}`, patch),
  resetPassword: (id: number, password: string) => json<unknown>('POST', `/api/users/${id}/password`, { password }),
  changePassword: (currentPassword: string, newPassword: string) => json<unknown>('POST', '/api/me/password', { currentPassword, newPassword }),
  audit: async (beforeId?: number) => (await json<{ entries: AuditEntry[] }>('GET', `/api/audit?limit=100${beforeId ? `&beforeId=${beforeId}` : ''}`)).entries,
};
