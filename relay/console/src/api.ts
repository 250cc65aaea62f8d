import type { MeResponse } from '@helppoint/shared/types';
import type { UserView } from './protocolTypes.ts';

/** A failed HTTP call: the relay's stable error code, or "network" when it could not be reached. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, message: string, status: number) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

export async function call(method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiError('network', error instanceof Error ? error.message : String(error), 0);
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null; // a proxy's HTML error page: the status still says what happened
  }
  return { status: res.status, json };
}

export function errorOf(status: number, json: unknown): ApiError {
  const e = (json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const code = typeof e?.code === 'string' ? e.code : status === 401 ? 'unauthenticated' : 'internal';
  const message = typeof e?.message === 'string' ? e.message : `HTTP ${status}`;
  return new ApiError(code, message, status);
}

function userOf(json: unknown): UserView {
  // POST /api/login and GET /api/me both answer with MeResponse.
  const user = (json as Partial<MeResponse> | null)?.user;
  if (!user || typeof user.id !== 'number') throw new ApiError('bad_message', 'the relay sent no user', 200);
  return user;
}

export async function login(username: string, password: string): Promise<UserView> {
  const { status, json } = await call('POST', '/api/login', { username, password });
  if (status !== 200) throw errorOf(status, json);
  return userOf(json);
}

export async function logout(): Promise<void> {
  const { status, json } = await call('POST', '/api/logout', {});
  if (status >= 400 && status !== 401) throw errorOf(status, json);
}

/** The signed-in officer, or null when the session cookie is missing or expired. */
export async function me(): Promise<UserView | null> {
  const { status, json } = await call('GET', '/api/me');
  if (status === 401) return null;
  if (status !== 200) throw errorOf(status, json);
  return userOf(json);
}
