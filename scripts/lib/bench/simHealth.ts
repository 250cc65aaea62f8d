import type { TerminalHealth } from '@helppoint/shared';
import { HealthCollector } from '../../../kiosk/src/health/HealthCollector.ts';
import { SimModem } from '../../../kiosk/src/hw/SimModem.ts';
import { KIOSK_VERSION } from '../../../kiosk/src/version.ts';

/**
 * The health report a real terminal sends with every heartbeat, built by the
 * kiosk's own HealthCollector (this machine's /proc and /sys readings, an LTE
 * modem twin), so the relay parses, validates and stores what it would from
 * a street terminal. Readings are taken at most once a second and shared by
 * every simulated terminal; what differs per terminal (uptime, round trip)
 * is filled in per beat.
 */
export class SimHealth {
  readonly #modem = new SimModem();
  readonly #startedAt = Date.now();
  #collector = new HealthCollector({
    sources: {
      version: KIOSK_VERSION,
      startedAtMs: this.#startedAt,
      camera: { framesDelivered: 0, lastFrameAtMs: null },
      micLevelDbfs: () => null,
      buttonOkAtMs: () => performance.now(),
      tamper: { open: false },
      modem: this.#modem,
      rttMs: () => null,
      clockOffsetMs: () => 0,
    },
  });
  #cached: TerminalHealth | null = null;
  #cachedAt = 0;

  static async create(): Promise<SimHealth> {
    const h = new SimHealth();
    await h.#modem.poll();
    return h;
  }

  report(uptimeS: number, rttMs: number | null): TerminalHealth {
    const now = Date.now();
    if (!this.#cached || now - this.#cachedAt > 1000) {
      this.#cached = this.#collector.collect();
      this.#cachedAt = now;
    }
    return { ...this.#cached, uptimeS, rttMs: rttMs === null ? null : Math.round(rttMs) };
  }
}
