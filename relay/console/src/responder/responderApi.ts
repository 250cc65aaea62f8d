import type { JobSavedResponse, JobStatusBody, PositionBody, ResponderMeResponse, ResponderSavedResponse } from '@helppoint/shared/types';
import { call, errorOf } from '../api.ts';

async function json<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const { status, json } = await call(method, path, body);
  if (status >= 400) throw errorOf(status, json);
  return json as T;
}

export const responderApi = {
  me: () => json<ResponderMeResponse>('GET', '/api/responder/me'),
  duty: async (onDuty: boolean) => (await json<ResponderSavedResponse>('POST', '/api/responder/duty', { onDuty })).responder,
  position: async (p: PositionBody) => (await json<ResponderSavedResponse>('POST', '/api/responder/position', p)).responder,
  status: async (dispatchId: number, body: JobStatusBody) => (await json<JobSavedResponse>('POST', `/api/responder/jobs/${dispatchId}/status`, body)).job,
};
