import type { CandidatesResponse, DispatchesResponse, DispatchSavedResponse, ReportPeriod, ResponseTimeReportResponse } from '@helppoint/shared/types';
import { call, errorOf } from '../api.ts';

async function json<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const { status, json } = await call(method, path, body);
  if (status >= 400) throw errorOf(status, json);
  return json as T;
}

export const dispatchApi = {
  candidates: async (callId: string) => (await json<CandidatesResponse>('GET', `/api/calls/${encodeURIComponent(callId)}/dispatch-candidates`)).candidates,
  forCall: async (callId: string) => (await json<DispatchesResponse>('GET', `/api/calls/${encodeURIComponent(callId)}/dispatches`)).dispatches,
  dispatch: async (callId: string, responderIds: number[]) =>
    (await json<DispatchesResponse>('POST', `/api/calls/${encodeURIComponent(callId)}/dispatches`, { responderIds })).dispatches,
  cancel: async (dispatchId: number) => (await json<DispatchSavedResponse>('POST', `/api/dispatches/${dispatchId}/cancel`, {})).dispatch,
  report: (q: ReportParams) => json<ResponseTimeReportResponse>('GET', `/api/reports/response-times?${reportQuery(q)}`),
  reportCsvUrl: (q: ReportParams) => `/api/reports/response-times.csv?${reportQuery(q)}`,
};

export interface ReportParams {
  period: ReportPeriod;
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
