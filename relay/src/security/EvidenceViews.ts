import type { AuditRepo } from '../db/AuditRepo.ts';

/**
 * "Every evidence byte served is audited, once per view." A player fetches a
 * recording in many Range requests (bytes=0-, bytes=1234-, suffix ranges,
 * several ranges at once); whichever form the first request takes, the
 * view is audited then, and later requests of the same viewer for the same
 * file within `idleMs` of the previous one belong to that view. A request
 * that serves no bytes (416, 404) is not a view.
 */
export class EvidenceViews {
  readonly #audit: AuditRepo;
  readonly #idleMs: number;
  readonly #now: () => number;
  readonly #last = new Map<string, number>();

  constructor(opts: { audit: AuditRepo; idleMs?: number; now?: () => number }) {
    this.#audit = opts.audit;
    this.#idleMs = opts.idleMs ?? 10 * 60_000;
    this.#now = opts.now ?? Date.now;
  }

  /** Call just before bytes are sent; writes the audit row when this starts a new view. Returns whether it did. */
  served(v: { actor: string; viewer: string; mediaId: number; callId: string; kind: string; range: string | undefined; remote: string }): boolean {
    const key = `${v.viewer}|${v.mediaId}`;
    const now = this.#now();
    const last = this.#last.get(key);
    this.#last.set(key, now);
    if (last !== undefined && now - last < this.#idleMs) return false;
    this.#audit.write({ actor: v.actor, action: 'evidence.view', target: v.callId, detail: { mediaId: v.mediaId, kind: v.kind, range: v.range ?? null }, remote: v.remote });
    if (this.#last.size > 10_000) for (const [k, at] of this.#last) if (now - at >= this.#idleMs) this.#last.delete(k);
    return true;
  }
}
