import type { Database, Statement } from 'better-sqlite3';
import type { KioskPackageView, RolloutState, RolloutView } from '@helppoint/shared';

export interface KioskPackage extends KioskPackageView {
  package: string;
}

interface PackageRow {
  sha256: string;
  package: string;
  version: string;
  architecture: string;
  size: number;
  uploaded_by: string;
  uploaded_at: number;
}

interface RolloutRow {
  id: number;
  terminal_id: string;
  sha256: string;
  version: string;
  architecture: string;
  state: RolloutState;
  reason: string | null;
  requested_by: string;
  requested_at: number;
  offered_at: number | null;
  updated_at: number;
}

/** States after which a rollout changes no more. */
export const FINAL_ROLLOUT_STATES: readonly RolloutState[] = ['updated', 'rolled_back', 'failed', 'superseded'];

const toPackage = (r: PackageRow): KioskPackage => ({
  sha256: r.sha256,
  package: r.package,
  version: r.version,
  architecture: r.architecture,
  size: r.size,
  uploadedBy: r.uploaded_by,
  uploadedAt: r.uploaded_at,
});
const toRollout = (r: RolloutRow): RolloutView => ({
  id: r.id,
  terminalId: r.terminal_id,
  sha256: r.sha256,
  version: r.version,
  architecture: r.architecture,
  state: r.state,
  reason: r.reason,
  requestedBy: r.requested_by,
  requestedAt: r.requested_at,
  offeredAt: r.offered_at,
  updatedAt: r.updated_at,
});

const ROLLOUT_SELECT = `SELECT r.id, r.terminal_id, r.sha256, p.version, p.architecture, r.state, r.reason, r.requested_by, r.requested_at, r.offered_at, r.updated_at
  FROM kiosk_rollouts r JOIN kiosk_packages p ON p.sha256 = r.sha256`;
const OPEN = `r.state NOT IN ('updated', 'rolled_back', 'failed', 'superseded')`;

/** Kiosk packages and their rollouts (migration 009). */
export class KioskUpdateRepo {
  readonly #db: Database;
  readonly #insertPackage: Statement<[string, string, string, string, number, string, number]>;
  readonly #package: Statement<[string], PackageRow>;
  readonly #packageByVersion: Statement<[string, string], PackageRow>;
  readonly #packages: Statement<[], PackageRow>;
  readonly #supersede: Statement<[number, string]>;
  readonly #insertRollout: Statement<[string, string, string, number, number]>;
  readonly #rollout: Statement<[number], RolloutRow>;
  readonly #open: Statement<[string], RolloutRow>;
  readonly #latest: Statement<[], RolloutRow>;
  readonly #setState: Statement<[RolloutState, string | null, number, number]>;
  readonly #offered: Statement<[number, number, number]>;

  constructor({ db }: { db: Database }) {
    this.#db = db;
    this.#insertPackage = db.prepare('INSERT INTO kiosk_packages (sha256, package, version, architecture, size, uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.#package = db.prepare('SELECT * FROM kiosk_packages WHERE sha256 = ?');
    this.#packageByVersion = db.prepare('SELECT * FROM kiosk_packages WHERE version = ? AND architecture = ?');
    this.#packages = db.prepare('SELECT * FROM kiosk_packages ORDER BY uploaded_at DESC, sha256');
    this.#supersede = db.prepare(`UPDATE kiosk_rollouts AS r SET state = 'superseded', updated_at = ? WHERE terminal_id = ? AND ${OPEN}`);
    this.#insertRollout = db.prepare("INSERT INTO kiosk_rollouts (terminal_id, sha256, state, requested_by, requested_at, updated_at) VALUES (?, ?, 'pending', ?, ?, ?)");
    this.#rollout = db.prepare(`${ROLLOUT_SELECT} WHERE r.id = ?`);
    this.#open = db.prepare(`${ROLLOUT_SELECT} WHERE r.terminal_id = ? AND ${OPEN}`);
    // The newest rollout of every terminal that has one.
    this.#latest = db.prepare(`${ROLLOUT_SELECT} WHERE r.id IN (SELECT max(id) FROM kiosk_rollouts GROUP BY terminal_id) ORDER BY r.terminal_id`);
    this.#setState = db.prepare('UPDATE kiosk_rollouts SET state = ?, reason = ?, updated_at = ? WHERE id = ?');
    this.#offered = db.prepare("UPDATE kiosk_rollouts SET state = CASE WHEN state = 'pending' THEN 'offered' ELSE state END, offered_at = ?, updated_at = ? WHERE id = ?");
  }

  addPackage(p: KioskPackage): void {
    this.#insertPackage.run(p.sha256, p.package, p.version, p.architecture, p.size, p.uploadedBy, p.uploadedAt);
  }

  package(sha256: string): KioskPackage | null {
    const r = this.#package.get(sha256);
    return r ? toPackage(r) : null;
  }

  packageByVersion(version: string, architecture: string): KioskPackage | null {
    const r = this.#packageByVersion.get(version, architecture);
    return r ? toPackage(r) : null;
  }

  packages(): KioskPackage[] {
    return this.#packages.all().map(toPackage);
  }

  /** A new pending rollout per terminal; each terminal's open one (if any) is superseded. One transaction. */
  startRollouts(sha256: string, terminalIds: readonly string[], requestedBy: string, now: number): RolloutView[] {
    return this.#db
      .transaction(() =>
        terminalIds.map((id) => {
          this.#supersede.run(now, id);
          const rowId = Number(this.#insertRollout.run(id, sha256, requestedBy, now, now).lastInsertRowid);
          return toRollout(this.#rollout.get(rowId)!);
        }),
      )
      .immediate();
  }

  openRollout(terminalId: string): RolloutView | null {
    const r = this.#open.get(terminalId);
    return r ? toRollout(r) : null;
  }

  latestRollouts(): RolloutView[] {
    return this.#latest.all().map(toRollout);
  }

  markOffered(id: number, now: number): void {
    this.#offered.run(now, now, id);
  }

  setState(id: number, state: RolloutState, reason: string | null, now: number): RolloutView {
    this.#setState.run(state, reason === null ? null : reason.slice(0, 400), now, id);
    return toRollout(this.#rollout.get(id)!);
  }
}
