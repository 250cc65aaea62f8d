// The call history REST API (relay/src/routes/historyRoutes.ts), typed for the
// console from the shared response schemas (the relay serialises with them).
import type {
  CallDetailResponse,
  CallEventView,
  CallSearchQuery,
  CallSummary,
  DispositionBody,
  DispositionView,
  DutyConfigResponse,
  EvidenceFile,
} from '@helppoint/shared/types';
import { ApiError, call, errorOf } from './api.ts';

export type { CallSummary, EvidenceFile };
export type CallEvent = CallEventView;
/** The form's fields, and what the relay stored (with who and when) once saved. */
export type Disposition = DispositionBody & Partial<Pick<DispositionView, 'recordedBy' | 'recordedAt'>>;
export type CallDetail = Omit<CallDetailResponse, 'call'>;
export type CallSearch = CallSearchQuery;
export type DutyConfig = DutyConfigResponse;

async function getJson<T>(path: string): Promise<T> {
  const { status, json } = await call('GET', path);
  if (status !== 200) throw errorOf(status, json);
  return json as T;
}

export async function searchCalls(q: CallSearch): Promise<CallSummary[]> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') params.set(k, String(v));
  return (await getJson<{ calls: CallSummary[] }>(`/api/calls?${params.toString()}`)).calls;
}

export function callDetail(id: string): Promise<CallDetail> {
  return getJson<CallDetail>(`/api/calls/${encodeURIComponent(id)}`);
}

export function dutyConfig(): Promise<DutyConfig> {
  return getJson<DutyConfig>('/api/duty-config');
}

export async function saveDisposition(callId: string, d: Disposition): Promise<void> {
  const { status, json } = await call('POST', `/api/calls/${encodeURIComponent(callId)}/disposition`, d);
  if (status !== 200) throw errorOf(status, json);
}

export async function uploadSnapshot(callId: string, jpeg: Blob): Promise<EvidenceFile> {
  let res: Response;
  try {
    res = await fetch(`/api/calls/${encodeURIComponent(callId)}/snapshots`, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'image/jpeg' }, body: jpeg });
  } catch (error) {
    throw new ApiError('network', error instanceof Error ? error.message : String(error), 0);
  }
  const json: unknown = await res.json().catch(() => null);
  if (res.status !== 200) throw errorOf(res.status, json);
  return (json as { media: EvidenceFile }).media;
}
