// The call history REST API (relay/src/routes/historyRoutes.ts), typed for the console.
import type { IncidentType, Outcome } from '../../../shared/src/disposition.ts';
import { ApiError, call, errorOf } from './api.ts';
import type { EndReason } from './protocolTypes.ts';

export interface CallSummary {
  id: string;
  terminalId: string;
  terminalName: string;
  terminalNameEn: string;
  state: 'ringing' | 'answered' | 'ended';
  kind: 'help' | 'tamper';
  createdAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  endReason: EndReason | null;
  escalatedAt: number | null;
  officer: { id: number; displayName: string } | null;
  disposition: { incidentType: IncidentType; outcome: Outcome; dispatched: boolean } | null;
}

export interface CallEvent {
  id: number;
  at: number;
  type: string;
  actor: string | null;
  actorName: string | null;
  detail: unknown;
}

export interface EvidenceFile {
  id: number;
  kind: 'snapshot' | 'recording';
  mime: string;
  bytes: number;
  createdAt: number;
  finishedAt: number | null;
  deletedAt: number | null;
  url: string | null;
  /** Recordings: which segment of its side (a re-joined call has several); null for snapshots. */
  segment?: number | null;
}

export interface Disposition {
  incidentType: IncidentType;
  outcome: Outcome;
  notes: string;
  dispatched: boolean;
  recordedBy?: number;
  recordedAt?: number;
}

export interface CallDetail {
  summary: CallSummary;
  events: CallEvent[];
  disposition: Disposition | null;
  media: EvidenceFile[];
}

export interface CallSearch {
  terminalId?: string;
  officerId?: number;
  from?: number;
  to?: number;
  outcome?: Outcome;
  endReason?: EndReason;
  limit?: number;
}

export interface DutyConfig {
  mapTileUrl: string;
  officers: { id: number; displayName: string }[];
}

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
