import fs from 'node:fs';
import path from 'node:path';

/**
 * The files an update goes through (on storage that survives a power cut, so
 * an update cut short is resumed, not forgotten):
 *  - <state-dir>/update/ (the kiosk's user writes here)
 *    - request.json  written when the relay offered a package and no call was on,
 *                    with the downloaded .deb beside it; it starts the root agent.
 *  - /var/lib/helppoint-kiosk-update/ (root only; AGENT_DIR)
 *    - attempt.json  written before installing: from, to, phase. Present at boot
 *                    = an update was cut short; resumed.
 *    - state.json    the outcome, read by the kiosk and reported to the relay.
 *    - packages/     the installed version's .deb and the previous one (rollback).
 */
export type UpdatePhase = 'installing' | 'confirming' | 'rolling_back';
export type UpdateStateName = 'waiting_idle' | 'installing' | 'confirming' | 'updated' | 'rolled_back' | 'failed';

export interface UpdateRequest {
  version: string;
  /** The package file, inside update/. */
  file: string;
  sha256: string;
}

export interface UpdateAttempt {
  from: string;
  to: string;
  fromDeb: string;
  toDeb: string;
  phase: UpdatePhase;
  startedAt: number;
}

export interface UpdateState {
  state: UpdateStateName;
  /** The version the terminal runs (or is going to). */
  version: string;
  /** For rolled_back/failed: the version that was refused, and why. */
  failedVersion?: string;
  reason?: string;
  at: number;
}

export const updateDir = (stateDir: string) => path.join(stateDir, 'update');
export const AGENT_DIR = '/var/lib/helppoint-kiosk-update';

export function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** write + fsync + rename: a power cut leaves the old file or the new one, never half of one. */
export function writeJsonDurably(file: string, value: unknown, mode = 0o644): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w', mode);
  try {
    fs.writeSync(fd, `${JSON.stringify(value, null, 2)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}
