import type { JobStatusBody, JobView, ResponderView } from '@helppoint/shared';
import { call, errorOf } from '../api.ts';

async function json<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const { status, json } = await call(method, path, body);
  if (status >= 400) throw errorOf(status, json);
  return json as T;
}

export const responderApi = {
  me: () => json<{ responder: ResponderView; jobs: JobView[] }>('GET', '/api/responder/me'),
  duty: async (onDuty: boolean) => (await json<{ responder: ResponderView }>('POST', '/api/responder/duty', { onDuty })).responder,
  position: async (p: { latitude: number; longitude: number; accuracyM?: number }) => (await json<{ responder: ResponderView }>('POST', '/api/responder/position', p)).responder,
  status: async (dispatchId: number, body: JobStatusBody) => (await json<{ job: JobView }>('POST', `/api/responder/jobs/${dispatchId}/status`, body)).job,
};
