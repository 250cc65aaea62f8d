import type { Logger } from 'pino';
import type { TerminalHealth, TerminalSender } from '@helppoint/shared';
import type { Camera } from '../hw/Camera.ts';
import type { Led } from '../hw/Led.ts';
import type { Microphone } from '../hw/Microphone.ts';
import type { Modem } from '../hw/Modem.ts';
import type { Speaker } from '../hw/Speaker.ts';
import type { Tamper } from '../hw/Tamper.ts';
import type { ButtonTap } from '../doctor/ButtonTap.ts';
import { buttonCheck, cameraCheck, ledCheck, modemCheck, relayCheck, speakerMicCheck, wiringCheck } from '../doctor/checks.ts';
import { runSelfTest, type Check } from '../doctor/SelfTest.ts';
import type { SelfTestReport } from '@helppoint/shared';
import { SelfTestService } from '../doctor/SelfTestService.ts';
import { HealthCollector } from './HealthCollector.ts';
import { recentMicLevelDbfs } from './micLevel.ts';
import { readUpdateReport } from '../update/updateReport.ts';

/** What supervision needs from the signalling client. */
export interface SupervisionSignal extends TerminalSender {
  readonly ready: boolean;
  readonly lastRttMs: number | null;
  readonly clockOffsetMs: number | null;
  on(event: 'connected', fn: () => void): unknown;
}

export interface SupervisionOptions {
  signal: SupervisionSignal;
  relayUrl: string;
  version: string;
  button: ButtonTap;
  led: Led;
  camera: Camera & { readonly lastFrameAtMs?: number | null };
  microphone: Microphone;
  speaker: Speaker;
  tamper: Tamper | null;
  modem: Modem | null;
  isIdle: () => boolean;
  nightlyHour: number | null;
  logger: Logger;
  modemPollMs?: number;
  sysRoot?: string;
}

/**
 * Everything that lets field staff trust a terminal without visiting it: the
 * health report for each heartbeat, the modem poll, the door-switch alarm,
 * and the self-test (nightly and doctor). Kept out of Kiosk.ts so the call
 * path stays small.
 */
export class Supervision {
  readonly selfTest: SelfTestService;
  readonly #o: SupervisionOptions;
  readonly #log: Logger;
  readonly #collector: HealthCollector;
  readonly #startedAt = Date.now();
  #modemTimer: ReturnType<typeof setInterval> | null = null;
  /** A wiring-fault report the relay has not taken yet (sent again on reconnect). */
  #wiringUnsent: SelfTestReport | null = null;

  constructor(o: SupervisionOptions) {
    this.#o = o;
    this.#log = o.logger.child({ component: 'supervision' });
    this.#collector = new HealthCollector({
      sources: {
        version: o.version,
        update: readUpdateReport,
        startedAtMs: this.#startedAt,
        camera: o.camera,
        micLevelDbfs: () => recentMicLevelDbfs(o.microphone.level, Date.now()),
        buttonOkAtMs: () => o.button.lastOkAt,
        tamper: o.tamper,
        modem: o.modem,
        rttMs: () => o.signal.lastRttMs,
        clockOffsetMs: () => o.signal.clockOffsetMs,
      },
      ...(o.sysRoot ? { sysRoot: o.sysRoot } : {}),
    });
    this.selfTest = new SelfTestService({
      checks: (interactive) => this.#checks(interactive),
      isIdle: o.isIdle,
      send: (report) => o.signal.request('selftest.report', { report }).then(() => undefined),
      nightlyHour: o.nightlyHour,
      logger: o.logger,
    });
    o.tamper?.on('change', (open) => this.#sendTamper(open));
    // A button line stuck "pressed" is no call but the fleet page must show it now, not at
    // the next nightly self-test: a one-line self-test report (no tone, no LED) says so.
    o.button.on('fault', (detail) => {
      if (detail) void this.#reportWiring();
    });
    o.signal.on('connected', () => {
      // The relay learns the door state on every (re)connect: a door opened while offline still alarms.
      if (o.tamper?.open) this.#sendTamper(true);
      if (this.#wiringUnsent) void this.#sendWiring(this.#wiringUnsent);
      void this.selfTest.flush();
    });
  }

  start(): void {
    const modem = this.#o.modem;
    if (modem) {
      const poll = () => void modem.poll();
      poll();
      this.#modemTimer = setInterval(poll, this.#o.modemPollMs ?? 30_000);
      this.#modemTimer.unref?.();
    }
    this.selfTest.startNightly();
  }

  health(): TerminalHealth {
    return this.#collector.collect();
  }

  close(): void {
    if (this.#modemTimer) clearInterval(this.#modemTimer);
    this.selfTest.close();
  }

  #sendTamper(open: boolean): void {
    this.#log.warn({ open }, open ? 'enclosure door OPEN: raising tamper alarm' : 'enclosure door closed');
    this.#o.signal.request('alarm', { kind: 'tamper', active: open }).catch((err: unknown) => {
      this.#log.warn({ err: err instanceof Error ? err.message : String(err) }, 'tamper alarm not delivered; it is sent again on reconnect');
    });
  }

  async #reportWiring(): Promise<void> {
    const report = await runSelfTest([wiringCheck({ button: this.#o.button, tamper: this.#o.tamper })], { trigger: 'start-up' });
    this.#wiringUnsent = report;
    await this.#sendWiring(report);
  }

  async #sendWiring(report: SelfTestReport): Promise<void> {
    try {
      await this.#o.signal.request('selftest.report', { report });
      if (this.#wiringUnsent === report) this.#wiringUnsent = null;
    } catch (err) {
      this.#log.info({ err: err instanceof Error ? err.message : String(err) }, 'wiring fault report not sent yet; will retry after reconnect');
    }
  }

  #checks(interactive: boolean): Check[] {
    const o = this.#o;
    const checks: Check[] = [speakerMicCheck({ speaker: o.speaker, microphone: o.microphone }), cameraCheck({ camera: o.camera }), ledCheck({ led: o.led })];
    if (interactive) checks.push(buttonCheck({ waitForPress: (ms, signal) => o.button.waitForPress(ms, signal) }));
    checks.push(relayCheck({ relayUrl: o.relayUrl, connected: () => o.signal.ready }));
    checks.push(wiringCheck({ button: o.button, tamper: o.tamper }));
    if (o.modem) checks.push(modemCheck({ modem: o.modem }));
    return checks;
  }
}
