import type { CandidateView, DispatchView, ReportRow } from '@helppoint/shared';
import { call, errorOf } from '../api.ts';

async function json<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const { status, json } = await call(method, path, body);
  if (status >= 400) throw errorOf(status, json);
  return json as T;
}

export const dispatchApi = {
  candidates: async (callId: string) => (await json<{ candidates: CandidateView[] }>('GET', `/api/calls/${encodeURIComponent(callId)}/dispatch-candidates`)).candidates,
  forCall: async (callId: string) => (await json<{ dispatches: DispatchView[] }>('GET', `/api/calls/${encodeURIComponent(callId)}/dispatches`)).dispatches,
  dispatch: async (callId: string, responderIds: number[]) =>
    (await json<{ dispatches: DispatchView[] }>('POST', `/api/calls/${encodeURIComponent(callId)}/dispatches`, { responderIds })).dispatches,
  cancel: async (dispatchId: number) => (await json<{ dispatch: DispatchView }>('POST', `/api/dispatches/${dispatchId}/cancel`, {})).dispatch,
  report: (q: ReportParams) => json<{ period: string; from: number; to: number; targetMs: number; rows: ReportRow[] }>('GET', `/api/reports/response-times?${reportQuery(q)}`),
  reportCsvUrl: (q: ReportParams) => `/api/reports/response-times.csv?${reportQuery(q)}`,
};

export interface ReportParams {
  period: 'day' | 'week' | 'month';
  byTerminal: boolean;
  from?: number;
  to?: number;
}

function reportQuery(q: ReportParams): string {
  const p = new URLSearchParams({ period: q.period, byTerminal: String(q.byTerminal) });
  if (q.from !== undefined) p.set('from', String(q.from));
  if (q.to !== undefined) p.set('to', String(q.to));
  return p.toString();
}
