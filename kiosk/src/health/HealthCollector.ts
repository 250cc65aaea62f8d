import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TerminalHealth, UpdateReport } from '@helppoint/shared';
import type { Modem } from '../hw/Modem.ts';

/** What the collector reads from the rest of the kiosk; each source may be missing. */
export interface HealthSources {
  version: string;
  /** The update agent's last record (kiosk/src/update/updateState.ts), if any. */
  update?: () => UpdateReport | null;
  startedAtMs: number;
  camera: { readonly framesDelivered: number; readonly lastFrameAtMs?: number | null };
  /** Recent microphone level while capturing (dBFS), or null when idle. */
  micLevelDbfs: () => number | null;
  /** performance.now() of the last sign the button works (a press, a passed self-test). */
  buttonOkAtMs: () => number | null;
  tamper: { readonly open: boolean | null } | null;
  modem: Modem | null;
  rttMs: () => number | null;
  clockOffsetMs: () => number | null;
}

export interface HealthCollectorOptions {
  sources: HealthSources;
  /** Where /sys and /proc live; tests point them at a fake tree. */
  sysRoot?: string;
  procRoot?: string;
  /** Filesystem whose free space counts (the data partition). */
  diskPath?: string;
  now?: () => number;
  perfNow?: () => number;
}

const round = (v: number, digits = 1) => Math.round(v * 10 ** digits) / 10 ** digits;

/**
 * Builds the health report sent with every heartbeat. Each reading is taken
 * independently and becomes null if it cannot be read, so one missing sensor
 * never costs the rest of the report (or the heartbeat itself).
 */
export class HealthCollector {
  readonly #o: HealthCollectorOptions;

  constructor(opts: HealthCollectorOptions) {
    this.#o = opts;
  }

  collect(): TerminalHealth {
    const s = this.#o.sources;
    const now = this.#o.now ?? Date.now;
    const perf = this.#o.perfNow ?? (() => performance.now());
    const mem = this.#memory();
    const lastFrame = s.camera.lastFrameAtMs ?? null;
    const buttonAt = s.buttonOkAtMs();
    return {
      uptimeS: Math.max(0, Math.round((now() - s.startedAtMs) / 1000)),
      cpuTempC: this.#cpuTemp(),
      load1: round(os.loadavg()[0] ?? 0, 2),
      memFreeMb: mem.free,
      memTotalMb: mem.total,
      diskFreeMb: this.#diskFree(),
      camera: { framesDelivered: s.camera.framesDelivered, lastFrameAgoS: lastFrame === null ? null : round(Math.max(0, perf() - lastFrame) / 1000) },
      micLevelDbfs: clampOrNull(s.micLevelDbfs(), -200, 10),
      buttonOkAgoS: buttonAt === null ? null : Math.round(Math.max(0, perf() - buttonAt) / 1000),
      tamperOpen: s.tamper ? s.tamper.open : null,
      lte: s.modem ? (s.modem.status ?? null) : null,
      rttMs: nonNegativeOrNull(s.rttMs()),
      clockOffsetMs: s.clockOffsetMs(),
      version: s.version.slice(0, 32),
      ...updateField(s.update),
    };
  }

  /** The hottest thermal zone (the SoC on a Pi is thermal_zone0), in °C. */
  #cpuTemp(): number | null {
    const dir = path.join(this.#o.sysRoot ?? '/sys', 'class/thermal');
    let zones: string[];
    try {
      zones = fs.readdirSync(dir).filter((z) => z.startsWith('thermal_zone'));
    } catch {
      return null;
    }
    let hottest: number | null = null;
    for (const z of zones) {
      try {
        const milli = Number(fs.readFileSync(path.join(dir, z, 'temp'), 'utf8').trim());
        // Millidegrees; a zone with a nonsense value (e.g. -273000 from a dead sensor) is skipped.
        if (Number.isFinite(milli) && milli > -60_000 && milli < 200_000) hottest = Math.max(hottest ?? -Infinity, milli / 1000);
      } catch {
        /* zone without a readable temp */
      }
    }
    return hottest === null ? null : round(hottest);
  }

  #memory(): { free: number | null; total: number | null } {
    // MemAvailable is what can be used without swapping; os.freemem() counts page cache as used.
    try {
      const info = fs.readFileSync(path.join(this.#o.procRoot ?? '/proc', 'meminfo'), 'utf8');
      const avail = /MemAvailable:\s+(\d+) kB/.exec(info)?.[1];
      const total = /MemTotal:\s+(\d+) kB/.exec(info)?.[1];
      if (avail && total) return { free: Math.round(Number(avail) / 1024), total: Math.round(Number(total) / 1024) };
    } catch {
      /* fall back to os */
    }
    return { free: Math.round(os.freemem() / 1048576), total: Math.round(os.totalmem() / 1048576) };
  }

  #diskFree(): number | null {
    try {
      const st = fs.statfsSync(this.#o.diskPath ?? '/');
      return Math.round((st.bavail * st.bsize) / 1048576);
    } catch {
      return null;
    }
  }
}

function clampOrNull(v: number | null, lo: number, hi: number): number | null {
  if (v === null || !Number.isFinite(v)) return null;
  return Math.min(hi, Math.max(lo, round(v)));
}

function nonNegativeOrNull(v: number | null): number | null {
  return v === null || !Number.isFinite(v) ? null : Math.max(0, Math.round(v));
}

function updateField(read: (() => UpdateReport | null) | undefined): { update?: UpdateReport } {
  try {
    const u = read?.() ?? null;
    return u ? { update: u } : {};
  } catch {
    return {};
  }
}
