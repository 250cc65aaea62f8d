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
import type { DeviceKey } from './enrol/deviceKey.ts';

export interface KioskDrivers {
  button: Button;
  led: Led;
  camera: Camera;
  microphone: Microphone;
  speaker: Speaker;
  voice: VoicePrompter;
  /** Only the simulated button can be pressed over HTTP. */
  simButton?: { press(): void; longPress(): void };
}

/** The terminal service, wired from its drivers. Which drivers is main.ts's choice. */
export class Kiosk {
  readonly signal: SignalClient;
  readonly media: MediaSession;
  readonly controller: CallController;
  readonly status: StatusServer;
  readonly #drivers: KioskDrivers;
  readonly #log: Logger;
  #closed = false;

  private constructor(parts: { signal: SignalClient; media: MediaSession; controller: CallController; status: StatusServer; drivers: KioskDrivers; log: Logger }) {
    this.signal = parts.signal;
    this.media = parts.media;
    this.controller = parts.controller;
    this.status = parts.status;
    this.#drivers = parts.drivers;
    this.#log = parts.log;
  }

  static async create(opts: { config: KioskConfig; drivers: KioskDrivers; deviceKey: DeviceKey; relayCa?: Buffer | undefined; logger: Logger }): Promise<Kiosk> {
    const { config, drivers, deviceKey } = opts;
    const logger = opts.logger;
    const signal = new SignalClient({
      url: config.relayUrl,
      terminalId: config.terminalId,
      version: KIOSK_VERSION,
      signHello: (terminalId, nonce) => deviceKey.signHello(terminalId, nonce),
      ca: opts.relayCa,
      logger,
    });
    const media = new MediaSession({ signal, camera: drivers.camera, microphone: drivers.microphone, speaker: drivers.speaker, logger });
    const controller = new CallController({ signal, media, button: drivers.button, led: drivers.led, voice: drivers.voice, logger });
    signal.on('connected', (hello) => {
      media.load(hello.routerRtpCapabilities).catch((err: unknown) => logger.error({ err }, 'could not load the relay media capabilities'));
    });
    const startedAt = Date.now();
    const status = await StatusServer.create({
      host: config.statusHost,
      port: config.statusPort,
      logger,
      ...(drivers.simButton ? { simButton: drivers.simButton } : {}),
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
        voice: drivers.voice.status ?? { lastPrompt: controller.lastPrompt },
        media: media.stats,
        simulated: Boolean(drivers.simButton),
      }),
    });
    const kiosk = new Kiosk({ signal, media, controller, status, drivers, log: logger.child({ component: 'kiosk' }) });
    signal.start();
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
    this.signal.close();
    this.#drivers.voice.close?.();
    await this.media.close();
    await this.status.close();
    const d = this.#drivers;
    await Promise.allSettled([d.button.close(), d.led.close(), d.camera.stop(), d.microphone.stop(), d.speaker.close()]);
    this.#log.info('terminal service stopped');
  }
}
