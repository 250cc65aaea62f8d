import { call, errorOf, ApiError } from '../api.ts';
import type { KioskPackageSavedResponse, KioskPackagesResponse, KioskPackageView, RolloutsResponse, RolloutView } from '@helppoint/shared/types';

export type KioskPackage = KioskPackageView;
export type Rollout = RolloutView;

async function json<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const { status, json } = await call(method, path, body);
  if (status < 200 || status >= 300) throw errorOf(status, json);
  return json as T;
}

/** Kiosk packages and rollouts (relay/src/routes/updateRoutes.ts). */
export const updatesApi = {
  packages: async () => (await json<KioskPackagesResponse>('GET', '/api/updates/packages')).packages,
  rollouts: async () => (await json<RolloutsResponse>('GET', '/api/updates/rollouts')).rollouts,
  rollOut: async (sha256: string, terminalIds: string[]) => (await json<RolloutsResponse>('POST', '/api/updates/rollouts', { sha256, terminalIds })).rollouts,
  /** The file itself is the body: the relay streams it to disk and reads its fields with dpkg-deb. */
  upload: async (file: Blob): Promise<KioskPackageSavedResponse> => {
    let res: Response;
    try {
      res = await fetch('/api/updates/packages', { method: 'PUT', credentials: 'same-origin', headers: { accept: 'application/json', 'content-type': 'application/octet-stream' }, body: file });
    } catch (error) {
      throw new ApiError('network', error instanceof Error ? error.message : String(error), 0);
    }
    const text = await res.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      /* a proxy's error page: the status says enough */
    }
    if (!res.ok) throw errorOf(res.status, body);
    return body as KioskPackageSavedResponse;
  },
};
