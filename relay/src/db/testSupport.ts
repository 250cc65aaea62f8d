// Helpers for this folder's tests: a real SQLite file in a fresh temp dir.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { openDatabase } from './openDatabase.ts';
import type { OpenDatabaseOptions } from './openDatabase.ts';
import type { TerminalInput } from './TerminalRepo.ts';
import type { TerminalHealth } from '@helppoint/shared';

export interface TempDb {
  dir: string;
  file: string;
  /** Opens another connection to the same file; closed by cleanup(). */
  open(options?: OpenDatabaseOptions): Database;
  cleanup(): void;
}

export function makeTempDb(): TempDb {
  const dir = mkdtempSync(join(tmpdir(), 'helppoint-db-'));
  // A subdirectory that does not exist yet, so every test also covers directory creation.
  const file = join(dir, 'data', 'relay.sqlite');
  const handles: Database[] = [];
  return {
    dir,
    file,
    open(options) {
      const db = openDatabase(file, options);
      handles.push(db);
      return db;
    },
    cleanup() {
      for (const db of handles) if (db.open) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A controllable clock for repositories. */
export function fakeClock(start = 1_750_000_000_000): { now: () => number; set(t: number): void; advance(ms: number): void } {
  let t = start;
  return {
    now: () => t,
    set(v) {
      t = v;
    },
    advance(ms) {
      t += ms;
    },
  };
}

export function sampleTerminal(id: string, overrides: Partial<TerminalInput> = {}): TerminalInput {
  return {
    id,
    kind: 'hutong',
    name: '烟袋斜街 东口',
    nameEn: 'Yandai Xiejie, east entrance',
    address: '北京市西城区烟袋斜街东口',
    hutong: '烟袋斜街',
    latitude: 39.94,
    longitude: 116.3926,
    notes: '立杆高1.6米',
    ...overrides,
  };
}

/** A heartbeat's health report as a healthy terminal sends it (tests of the relay's fleet and district code). */
export function sampleHealth(over: Partial<TerminalHealth> = {}): TerminalHealth {
  return {
    uptimeS: 10,
    cpuTempC: 50,
    load1: 0.2,
    memFreeMb: 500,
    memTotalMb: 1000,
    diskFreeMb: 9000,
    camera: { framesDelivered: 0, lastFrameAgoS: null },
    micLevelDbfs: null,
    buttonOkAgoS: null,
    tamperOpen: false,
    lte: { present: true, rssiDbm: -71, csq: 21, registration: 'home', operator: 'CHINA MOBILE' },
    rttMs: 20,
    clockOffsetMs: 3,
    version: '0.1.0',
    ...over,
  };
}
