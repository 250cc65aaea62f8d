import Type, { type Static } from 'typebox';
import { LocationId, literals } from './common.ts';

/*
 * Kiosk updates (issue 10): packages an admin uploaded to the relay, rolled
 * out to terminals. The terminal's own half (install, confirm, roll back) is
 * kiosk/src/update/; its outcome comes back in the heartbeat (UpdateReport).
 */

export const Sha256 = Type.String({ pattern: '^[0-9a-f]{64}$' });
/** Debian architecture names the kiosk ships for. */
export const DebArch = Type.String({ pattern: '^[a-z0-9]{1,16}$' });

/**
 * A terminal's rollout of one package, from the relay's record to what the
 * terminal reported: pending (offline) → offered → downloading → downloaded →
 * waiting_idle / installing / confirming → updated, rolled_back or failed.
 * superseded: a later rollout to the same terminal replaced it.
 */
export const ROLLOUT_STATES = [
  'pending',
  'offered',
  'downloading',
  'downloaded',
  'waiting_idle',
  'installing',
  'confirming',
  'updated',
  'rolled_back',
  'failed',
  'superseded',
] as const;
export const RolloutState = literals(ROLLOUT_STATES);
export type RolloutState = Static<typeof RolloutState>;

/** What the kiosk tells the relay about its download (the agent's later states come in the heartbeat). */
export const DownloadProgress = literals(['downloading', 'downloaded', 'failed'] as const);

export const KioskPackageView = Type.Object({
  sha256: Sha256,
  version: Type.String(),
  architecture: Type.String(),
  size: Type.Integer(),
  uploadedBy: Type.String(),
  uploadedAt: Type.Integer(),
});
export type KioskPackageView = Static<typeof KioskPackageView>;

export const RolloutView = Type.Object({
  id: Type.Integer(),
  terminalId: LocationId,
  sha256: Sha256,
  version: Type.String(),
  architecture: Type.String(),
  state: RolloutState,
  reason: Type.Union([Type.String(), Type.Null()]),
  requestedBy: Type.String(),
  requestedAt: Type.Integer(),
  offeredAt: Type.Union([Type.Integer(), Type.Null()]),
  updatedAt: Type.Integer(),
});
export type RolloutView = Static<typeof RolloutView>;
