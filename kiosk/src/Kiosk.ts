import type { Logger } from 'pino';
import type { Button } from './hw/Button.ts';
import type { Camera } from './hw/Camera.ts';
import type { Led } from './hw/Led.ts';
import type { Microphone } from './hw/Microphone.ts';
import type { Speaker } from './hw/Speaker.ts';
import type { KioskConfig } from './config.ts';
import { CallController, type VoicePrompter } from './call/CallController.ts';
import { MediaSession } from './media/MediaSession.ts';
import { SignalClient } from './net/SignalClient.ts';
import { StatusServer } from './status/StatusServer.ts';
import { KIOSK_VERSION } from './version.ts';
import type { Modem } from './hw/Modem.ts';
import type { Tamper } from './hw/Tamper.ts';
import { ButtonTap } from './doctor/ButtonTap.ts';
import { Supervision } from './health/Supervision.ts';

export interface KioskDrivers {
  button: Button;
  led: Led;
  camera: Camera;
  microphone: Microphone;
  speaker: Speaker;
  voice: VoicePrompter;
  /** Only the simulated button can be pressed over HTTP. */
  simButton?: { press(): void; longPress(): void };
  /** The enclosure door switch and the LTE modem, where fitted (issue 5). */
  tamper?: Tamper;
  modem?: Modem;
  /** Only the simulated door switch can be opened over HTTP. */
  simTamper?: { set(open: boolean): void };
}

/** The terminal service, wired from its drivers. Which drivers is main.ts's choice. */
export class Kiosk {
  readonly signal: SignalClient;
  readonly media: MediaSession;
  readonly controller: CallController;
  readonly status: StatusServer;
  readonly supervision: Supervision;
  readonly #drivers: KioskDrivers;
  readonly #log: Logger;
  #closed = false;

  private constructor(parts: {
    signal: SignalClient;
    media: MediaSession;
    controller: CallController;
    status: StatusServer;
    supervision: Supervision;
    drivers: KioskDrivers;
    log: Logger;
  }) {
    this.signal = parts.signal;
    this.media = parts.media;
    this.controller = parts.controller;
    this.status = parts.status;
    this.supervision = parts.supervision;
    this.#drivers = parts.drivers;
    this.#log = parts.log;
  }

  static async create(opts: { config: KioskConfig; drivers: KioskDrivers; logger: Logger }): Promise<Kiosk> {
    const { config, drivers } = opts;
    const logger = opts.logger;
    let supervision: Supervision | null = null;
    const signal = new SignalClient({ url: config.relayUrl, terminalId: config.terminalId, version: KIOSK_VERSION, logger, health: () => supervision?.health() });
    const media = new MediaSession({ signal, camera: drivers.camera, microphone: drivers.microphone, speaker: drivers.speaker, logger });
    // The controller hears the button through the tap, so the doctor's "press now" never starts a call.
    const button = new ButtonTap(drivers.button);
    const controller = new CallController({ signal, media, button, led: drivers.led, voice: drivers.voice, logger });
    supervision = new Supervision({
      signal,
      relayUrl: config.relayUrl,
      version: KIOSK_VERSION,
      button,
      led: drivers.led,
      camera: drivers.camera,
      microphone: drivers.microphone,
      speaker: drivers.speaker,
      tamper: drivers.tamper ?? null,
      modem: drivers.modem ?? null,
      isIdle: () => controller.state.name === 'idle',
      nightlyHour: config.selfTestHour,
      logger,
    });
    const sup = supervision;
    controller.on('state', (state) => {
      if (state.name !== 'idle') sup.selfTest.interrupt();
    });
    signal.on('connected', (hello) => {
      media.load(hello.routerRtpCapabilities).catch((err: unknown) => logger.error({ err }, 'could not load the relay media capabilities'));
    });
    const startedAt = Date.now();
    const status = await StatusServer.create({
      host: config.statusHost,
      port: config.statusPort,
      logger,
      ...(drivers.simButton ? { simButton: drivers.simButton } : {}),
      ...(drivers.simTamper ? { simTamper: drivers.simTamper } : {}),
      doctor: sup.selfTest,
      status: () => ({
        terminalId: config.terminalId,
        version: KIOSK_VERSION,
        uptimeS: Math.round((Date.now() - startedAt) / 1000),
        relay: { url: config.relayUrl, connected: signal.ready, rttMs: signal.lastRttMs },
        call: { state: controller.state.name, callId: controller.state.callId, lastPrompt: controller.lastPrompt },
        led: drivers.led.mode,
        camera: { width: drivers.camera.width, height: drivers.camera.height, fps: drivers.camera.fps, framesDelivered: drivers.camera.framesDelivered },
        microphone: { framesDelivered: drivers.microphone.framesDelivered },
        speaker: drivers.speaker.level,
        media: media.stats,
        simulated: Boolean(drivers.simButton),
        health: sup.health(),
        selfTest: { running: sup.selfTest.running, last: sup.selfTest.last },
      }),
    });
    const kiosk = new Kiosk({ signal, media, controller, status, supervision: sup, drivers, log: logger.child({ component: 'kiosk' }) });
    signal.start();
    sup.start();
    // A press held while the service was (re)starting still counts.
    if (drivers.button.readNow()) {
      kiosk.#log.warn('button already held at start-up: treating it as a press');
      signal.once('connected', () => controller.dispatch({ type: 'press', requestId: crypto.randomUUID() }));
    }
    kiosk.#log.info({ status: status.url, relay: config.relayUrl }, 'terminal service started');
    return kiosk;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.supervision.close();
    this.signal.close();
    await this.media.close();
    await this.status.close();
    const d = this.#drivers;
    await Promise.allSettled([d.button.close(), d.led.close(), d.camera.stop(), d.microphone.stop(), d.speaker.close(), d.tamper?.close(), d.modem?.close()]);
    this.#log.info('terminal service stopped');
  }
}
