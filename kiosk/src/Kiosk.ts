import type { Logger } from 'pino';
import type { Button } from './hw/Button.ts';
import type { Camera } from './hw/Camera.ts';
import type { Led } from './hw/Led.ts';
import type { Microphone } from './hw/Microphone.ts';
import type { Speaker } from './hw/Speaker.ts';
import type { KioskConfig } from './config.ts';
import { CallController, type VoicePrompter } from './call/CallController.ts';
import { MediaSession } from './media/MediaSession.ts';
import { MicrophoneTap } from './media/MicrophoneTap.ts';
import type { PrePressBuffer } from './media/PrePressBuffer.ts';
import { PrePressEvidence } from './media/PrePressEvidence.ts';
import { SignalClient } from './net/SignalClient.ts';
import { StatusServer } from './status/StatusServer.ts';
import { Outbox } from './store/Outbox.ts';
import { OutboxCourier } from './store/OutboxCourier.ts';
import { HelpSms } from './sms/HelpSms.ts';
import type { SmsSender } from './sms/SmsSender.ts';
import { KIOSK_VERSION } from './version.ts';
import type { DeviceKey } from './enrol/deviceKey.ts';
import type { Modem } from './hw/Modem.ts';
import type { Tamper } from './hw/Tamper.ts';
import { ButtonTap } from './doctor/ButtonTap.ts';
import { Supervision } from './health/Supervision.ts';
import type { VoiceActivity } from './audio/CallAudio.ts';
import { UpdateDownloader, debianArch } from './update/UpdateDownloader.ts';

export interface KioskDrivers {
  button: Button;
  led: Led;
  camera: Camera;
  microphone: Microphone;
  speaker: Speaker;
  /**
   * The call's processed audio (echo cancelled, denoised, gain-controlled microphone; limited speaker
   * that feeds the canceller its reference). Calls use it; the self-test and health keep the raw devices.
   */
  callAudio?: { microphone: Microphone; speaker: Speaker; on(event: 'activity', fn: (a: VoiceActivity) => void): unknown };
  voice: VoicePrompter;
  /** The LTE modem's SMS side; null when no modem is fitted or configured. */
  sms?: SmsSender | null;
  /** Only the simulated button can be pressed over HTTP. */
  simButton?: { press(): void; longPress(): void };
  /** The enclosure door switch and the LTE modem, where fitted (issue 5). */
  tamper?: Tamper;
  modem?: Modem;
  /** Only the simulated door switch can be opened over HTTP. */
  simTamper?: { set(open: boolean): void };
}

/** How long a press at start-up waits for the first relay connection before taking the SMS path. */
const STARTUP_LINK_GRACE_MS = 5_000;

/** The terminal service, wired from its drivers. Which drivers is main.ts's choice. */
export class Kiosk {
  readonly signal: SignalClient;
  readonly media: MediaSession;
  readonly controller: CallController;
  readonly status: StatusServer;
  readonly outbox: Outbox;
  readonly #courier: OutboxCourier;
  readonly #helpSms: HelpSms;
  readonly supervision: Supervision;
  readonly #drivers: KioskDrivers;
  readonly #log: Logger;
  readonly #updates: UpdateDownloader;
  readonly #evidence: PrePressEvidence | null;
  #closed = false;

  private constructor(parts: {
    signal: SignalClient;
    media: MediaSession;
    controller: CallController;
    status: StatusServer;
    outbox: Outbox;
    courier: OutboxCourier;
    helpSms: HelpSms;
    supervision: Supervision;
    drivers: KioskDrivers;
    log: Logger;
    updates: UpdateDownloader;
    evidence: PrePressEvidence | null;
  }) {
    this.#updates = parts.updates;
    this.#evidence = parts.evidence;
    this.outbox = parts.outbox;
    this.#courier = parts.courier;
    this.#helpSms = parts.helpSms;
    this.supervision = parts.supervision;
    this.signal = parts.signal;
    this.media = parts.media;
    this.controller = parts.controller;
    this.status = parts.status;
    this.supervision = parts.supervision;
    this.#drivers = parts.drivers;
    this.#log = parts.log;
  }

  static async create(opts: {
    config: KioskConfig;
    drivers: KioskDrivers;
    deviceKey: DeviceKey;
    relayCa?: Buffer | undefined;
    logger: Logger;
    /** Fed by the warm camera (main.ts); null or absent: no pre-press clip. */
    prePress?: PrePressBuffer | null;
  }): Promise<Kiosk> {
    const { config, drivers, deviceKey } = opts;
    const logger = opts.logger;
    let supervision: Supervision | null = null;
    const signal = new SignalClient({
      url: config.relayUrl,
      terminalId: config.terminalId,
      version: KIOSK_VERSION,
      arch: debianArch(),
      signHello: (terminalId, nonce) => deviceKey.signHello(terminalId, nonce),
      ca: opts.relayCa,
      logger,
      backoff: { baseMs: 500, maxMs: config.reconnectMaxMs },
      health: () => supervision?.health(),
    });
    const callAudio = drivers.callAudio ?? { microphone: drivers.microphone, speaker: drivers.speaker };
    const prePress = opts.prePress ?? null;
    const microphone = prePress ? new MicrophoneTap(callAudio.microphone, (pcm) => prePress.pushPcm(pcm)) : callAudio.microphone;
    const media = new MediaSession({ signal, camera: drivers.camera, microphone, speaker: callAudio.speaker, logger });
    const outbox = Outbox.open(config.stateDir);
    const helpSms = new HelpSms({
      sender: drivers.sms ?? null,
      outbox,
      dutyNumbers: config.sms.dutyNumbers,
      locationId: config.terminalId,
      address: config.address,
      timeZone: config.sms.timeZone,
      logger,
    });
    // The controller hears the button through the tap, so the doctor's "press now" never starts a call.
    const button = new ButtonTap(drivers.button);
    const controller = new CallController({
      signal,
      media,
      button,
      led: drivers.led,
      voice: drivers.voice,
      logger,
      presses: outbox,
      sms: helpSms,
      offlineWaitMs: config.offlineWaitMs,
    });
    const evidence = prePress ? new PrePressEvidence({ buffer: prePress, controller, signal, relayUrl: config.relayUrl, ca: opts.relayCa, logger, uplinkBps: () => media.stats.link?.estimateBps ?? null }) : null;
    const courier = new OutboxCourier({ outbox, signal, activeRequestId: () => controller.activeRequestId, logger });
    supervision = new Supervision({
      signal,
      relayUrl: config.relayUrl,
      version: KIOSK_VERSION,
      button,
      led: drivers.led,
      camera: drivers.camera,
      // The raw devices, not callAudio's: the self-test's tone must not meet the echo canceller,
      // which would remove it and report a working speaker as broken.
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
    // The officer's console shows the terminal's input level and whether the resident is speaking.
    // Sent when it changes (speaking, or the level by 3 dB) and at least once a second: a meter, not a stream.
    let sent: { callId: string; at: number; a: VoiceActivity } | null = null;
    drivers.callAudio?.on('activity', (a) => {
      const callId = controller.state.callId;
      if (!callId || !signal.ready) return;
      const now = Date.now();
      if (sent && sent.callId === callId && sent.a.speaking === a.speaking && Math.abs(sent.a.inputDbfs - a.inputDbfs) < 3 && now - sent.at < 1000) return;
      sent = { callId, at: now, a };
      signal.request('call.audioActivity', { callId, inputDbfs: a.inputDbfs, speaking: a.speaking }).catch((err: unknown) => logger.debug({ err }, 'audio activity not delivered'));
    });
    // Updates (issue 10): the relay offers a package, this unprivileged service downloads and checks it,
    // and the root update agent installs it while idle (kiosk/src/update/).
    const updates = new UpdateDownloader({
      stateDir: config.stateDir,
      relayUrl: config.relayUrl,
      ca: opts.relayCa,
      installedVersion: KIOSK_VERSION,
      architecture: debianArch(),
      isIdle: () => controller.state.name === 'idle',
      report: (r) => signal.request('update.progress', r),
      logger,
    });
    signal.on('event', (...[type, data]) => {
      if (type === 'update.offer') updates.offer(data).catch((err: unknown) => logger.error({ err }, 'could not take the update offer'));
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
        outbox: { pending: outbox.pending().length },
        led: drivers.led.mode,
        camera: { width: drivers.camera.width, height: drivers.camera.height, fps: drivers.camera.fps, framesDelivered: drivers.camera.framesDelivered },
        microphone: { framesDelivered: drivers.microphone.framesDelivered, level: drivers.microphone.level },
        speaker: drivers.speaker.level,
        voice: drivers.voice.status ?? { lastPrompt: controller.lastPrompt },
        media: media.stats,
        simulated: Boolean(drivers.simButton),
        health: sup.health(),
        selfTest: { running: sup.selfTest.running, last: sup.selfTest.last },
      }),
    });
    const kiosk = new Kiosk({ signal, media, controller, status, outbox, courier, helpSms, supervision: sup, drivers, updates, evidence, log: logger.child({ component: 'kiosk' }) });
    controller.holdPressesUntilConnected(STARTUP_LINK_GRACE_MS);
    signal.start();
    sup.start();
    // A press held while the service was (re)starting still counts: readNow emits it as a press on
    // release, or reports a wiring fault if the line stays "pressed" (see Button.readNow).
    if (drivers.button.readNow()) kiosk.#log.warn('button already held at start-up: a press if released soon, a wiring fault if not');
    kiosk.#log.info({ status: status.url, relay: config.relayUrl }, 'terminal service started');
    return kiosk;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.supervision.close();
    this.#updates.close();
    this.#evidence?.close();
    this.signal.close();
    this.controller.close();
    this.#courier.close();
    this.#helpSms.close();
    this.#drivers.voice.close?.();
    await this.media.close();
    await this.status.close();
    const d = this.#drivers;
    await Promise.allSettled([d.button.close(), d.led.close(), d.camera.stop(), d.microphone.stop(), d.speaker.close(), d.tamper?.close(), d.modem?.close()]);
    this.outbox.close();
    this.#log.info('terminal service stopped');
  }
}
