import path from 'node:path';
import pino from 'pino';
import { cameraKeptWarm, loadKioskConfig, type KioskConfig } from './config.ts';
import { Kiosk, type KioskDrivers } from './Kiosk.ts';
import { FilePrompter } from './voice/FilePrompter.ts';
import { SimButton } from './hw/SimButton.ts';
import { SimLed } from './hw/SimLed.ts';
import { FfmpegCamera } from './hw/FfmpegCamera.ts';
import { GpioButton } from './hw/GpioButton.ts';
import { GpioLed } from './hw/GpioLed.ts';
import { AlsaMicrophone } from './hw/AlsaMicrophone.ts';
import { AlsaSpeaker } from './hw/AlsaSpeaker.ts';
import fs from 'node:fs';
import { DeviceKey } from './enrol/deviceKey.ts';
import { ENROL_USAGE, enrol } from './enrol/enrolCommand.ts';
import { ModemSmsSender } from './sms/ModemSmsSender.ts';
import { SystemdNotifier } from './status/SystemdNotifier.ts';
import { SimRoom } from './hw/SimRoom.ts';
import { SimTamper } from './hw/SimTamper.ts';
import { SimModem } from './hw/SimModem.ts';
import { GpioTamper } from './hw/GpioTamper.ts';
import { selectGpioBackend } from './hw/gpio/selectGpioBackend.ts';
import { RPICAM_WIDTH_ALIGN, RpicamCamera } from './hw/camera/RpicamCamera.ts';
import { chooseHardware, describeHardware, discoverHardware } from './hw/inventory.ts';
import { SerialModem } from './hw/SerialModem.ts';
import { doctor } from './doctor/doctorCli.ts';
import { WarmCamera } from './hw/WarmCamera.ts';
import { PrePressBuffer } from './media/PrePressBuffer.ts';
import { KIOSK_VERSION } from './version.ts';
import { CallAudio } from './audio/CallAudio.ts';
import { loadAudioProcessingConfig, loadSimRoomOptions } from './audio/audioConfig.ts';
import { engineName, loadVoiceEngine } from './audio/voiceEngines.ts';
import type { VoiceProcessorFactory } from './audio/VoiceProcessor.ts';
import type { Microphone } from './hw/Microphone.ts';
import type { Speaker } from './hw/Speaker.ts';

/**
 * The one place that reads configuration, picks real or simulated drivers,
 * wires the service and shuts it down. Usage: helppoint-kiosk run | enrol
 */
/** Prompts made by scripts/gen-prompts.ts (espeak-ng) at set-up. */
const GENERATED_PROMPTS = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../prompts/generated');

async function drivers(cfg: KioskConfig, logger: pino.Logger): Promise<KioskDrivers> {
  const { width, height, fps } = cfg.video;
  const promptDirs = [cfg.promptsDir, GENERATED_PROMPTS].filter((d) => d !== '');
  if (cfg.simulated) {
    const button = new SimButton({ logger });
    // The room carries the speaker to the microphone (delayed, through a room response, with street
    // noise), so the self-test's tone test means something and the echo canceller has an echo to remove.
    const room = new SimRoom({ ...loadSimRoomOptions(process.env), logger });
    const callAudio = await callAudioFor(room.microphone, room.speaker, logger);
    const tamper = new SimTamper();
    // The modem is real even on a simulated terminal when a path is given (tests point it at a pty),
    // so the same driver sends the help SMS in tests and on the Pi.
    const modem = serialModem(cfg, logger);
    return {
      button,
      simButton: button,
      led: new SimLed(),
      camera: FfmpegCamera.testPattern({ width, height, fps, label: cfg.terminalId, logger }),
      microphone: room.microphone,
      speaker: room.speaker,
      callAudio,
      voice: new FilePrompter({ speaker: callAudio.speaker, dirs: promptDirs, logger }),
      tamper,
      simTamper: tamper,
      ...(modem ? { modem, sms: new ModemSmsSender(modem) } : { modem: new SimModem(), sms: null }),
    };
  }
  // Real hardware: find what is plugged in, choose by configuration and by name (never by
  // enumeration order), and say what was chosen; `doctor` prints the same.
  const choice = chooseHardware(cfg, await discoverHardware({ listCsi: cfg.video.device === 'auto' }));
  logger.info({ hardware: choice }, 'hardware chosen');
  const gpio = await selectGpioBackend({ driver: cfg.gpio.driver, gpioBase: cfg.gpio.base, chipLabel: cfg.gpio.chipLabel, logger });
  const cam = choice.camera;
  const speaker = new AlsaSpeaker({ device: choice.playback.device, logger });
  const microphone = new AlsaMicrophone({ device: choice.capture.device, logger });
  const callAudio = await callAudioFor(microphone, speaker, logger);
  const modem = choice.modem.path ? SerialModem.create({ path: choice.modem.path, baudRate: cfg.sms.baudRate, logger }) : null;
  return {
    button: await GpioButton.create({ gpio: cfg.gpio.button, backend: gpio, logger }),
    led: await GpioLed.create({ gpio: cfg.gpio.led, backend: gpio, logger }),
    camera:
      cam.kind === 'csi'
        ? new RpicamCamera({ camera: cam.camera, ...rpicamSize(width, height, logger), fps, logger })
        : FfmpegCamera.v4l2({ device: cam.device, width, height, fps, logger }),
    microphone,
    speaker,
    callAudio,
    voice: new FilePrompter({ speaker: callAudio.speaker, dirs: promptDirs, logger }),
    ...(cfg.gpio.tamper != null
      ? { tamper: await GpioTamper.create({ gpio: cfg.gpio.tamper, gpioNo: cfg.gpio.tamperNo, backend: gpio, logger }) }
      : {}),
    ...(modem ? { modem, sms: new ModemSmsSender(modem) } : { sms: null }),
  };
}

/**
 * The call's audio chain around the raw devices: echo cancellation, noise
 * suppression and gain on the microphone, a limiter on the speaker. Prompts
 * play through it too, so the canceller's reference holds everything the
 * speaker says. The raw devices stay in the drivers for the self-test.
 */
async function callAudioFor(microphone: Microphone, speaker: Speaker, logger: pino.Logger): Promise<CallAudio> {
  const cfg = loadAudioProcessingConfig(process.env);
  let processor: VoiceProcessorFactory | null = null;
  if (cfg.enabled) {
    try {
      processor = await loadVoiceEngine(cfg.engine);
    } catch (err) {
      logger.error({ err, engine: engineName(cfg.engine) }, 'the audio processing engine did not load (the addon is built at npm install from libwebrtc-audio-processing-dev and libspeexdsp-dev; needs libwebrtc-audio-processing1 and libspeexdsp1; RNNoise is @echogarden/rnnoise-wasm)');
    }
  } else {
    logger.warn('audio processing switched off (HELPPOINT_AUDIO_PROCESSING=0)');
  }
  return new CallAudio({ microphone, speaker, processor, processorOptions: { noiseSuppression: cfg.noiseSuppression }, limiter: { gainDb: cfg.speakerGainDb }, logger });
}

/** rpicam-vid pads rows to 64 bytes: a configured size that is not aligned is trimmed, not fatal. */
function rpicamSize(width: number, height: number, logger: pino.Logger): { width: number; height: number } {
  const w = Math.max(RPICAM_WIDTH_ALIGN, width - (width % RPICAM_WIDTH_ALIGN));
  const h = Math.max(2, height - (height % 2));
  if (w !== width || h !== height) logger.warn({ configured: `${width}x${height}`, used: `${w}x${h}` }, 'CSI camera size trimmed to what rpicam-vid delivers unpadded');
  return { width: w, height: h };
}

/** For `doctor`: found and chosen hardware, without opening any of it. */
async function hardwareReport(cfg: KioskConfig): Promise<string[]> {
  if (cfg.simulated) return ['硬件 Hardware: simulated drivers (HELPPOINT_SIMULATED=1)'];
  const g = cfg.gpio;
  const inputs = [g.button, g.tamper, g.tamperNo].filter((p): p is number => p != null);
  const inv = await discoverHardware({ listCsi: cfg.video.device === 'auto', pins: [...inputs, g.led] });
  return describeHardware(inv, chooseHardware(cfg, inv), { pullUps: inputs });
}

/** One owner of the modem's serial port: the driver that polls it for health also sends the SMS. */
function serialModem(cfg: KioskConfig, logger: pino.Logger): SerialModem | null {
  return cfg.sms.modemPath && cfg.sms.modemPath !== 'none' ? SerialModem.create({ path: cfg.sms.modemPath, baudRate: cfg.sms.baudRate, logger }) : null;
}

async function run(): Promise<void> {
  const cfg = loadKioskConfig(process.env);
  const logger = pino({ name: 'kiosk', level: cfg.logLevel }).child({ terminalId: cfg.terminalId });
  const deviceKey = DeviceKey.load(cfg.keyFile);
  const relayCa = cfg.caFile ? fs.readFileSync(cfg.caFile) : undefined;
  logger.info({ keyFingerprint: deviceKey.fingerprint, pinnedCa: cfg.caFile ?? null }, 'device key loaded');
  const chosen = await drivers(cfg, logger);
  const warm = cameraKeptWarm(cfg) ? new WarmCamera({ camera: chosen.camera, logger }) : null;
  if (warm) {
    chosen.camera = warm;
    warm.warmUp().catch((err: unknown) => logger.warn({ err }, 'camera could not start while idle; will try again at the next call'));
  }
  // The seconds before a press, in memory only, while the camera is warm anyway (issue 15).
  const prePress = warm && cfg.video.prePressSeconds > 0 ? new PrePressBuffer({ seconds: cfg.video.prePressSeconds }) : null;
  if (warm && prePress) warm.tap((frame) => prePress.pushFrame(frame));
  const kiosk = await Kiosk.create({ config: cfg, drivers: chosen, deviceKey, relayCa, logger, prePress });
  if (process.send) process.send({ type: 'ready', statusUrl: kiosk.status.url });
  const systemd = SystemdNotifier.fromEnv(process.env, logger);
  systemd?.ready(`terminal ${cfg.terminalId} running`);
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      systemd?.stopping();
      systemd?.close();
      kiosk
        .close()
        .then(() => warm?.close())
        .then(
          () => process.exit(0),
          () => process.exit(1),
        );
    });
  }
}

const verb = process.argv[2] ?? 'run';
if (verb === '--version' || verb === 'version') {
  console.log(KIOSK_VERSION);
} else if (verb === 'run') {
  await run();
} else if (verb === 'enrol') {
  try {
    const r = await enrol(process.argv.slice(3), process.env);
    console.log(`enrolled: ${r.terminalId} ${r.place}`);
    console.log(`key fingerprint: ${r.keyFingerprint}`);
    console.log(`config: ${r.configFile}`);
    console.log(`start with: HELPPOINT_KIOSK_CONFIG=${r.configFile} helppoint-kiosk run`);
  } catch (error) {
    const code = (error as { code?: string }).code;
    console.error(`enrolment failed${code ? ` (${code})` : ''}: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(code === undefined && String(error).includes('usage:') ? 2 : 1);
  }
} else if (verb === 'doctor') {
  const cfg = loadKioskConfig(process.env);
  const logger = pino({ name: 'kiosk-doctor', level: process.env['HELPPOINT_LOG_LEVEL'] ?? 'warn' }).child({ terminalId: cfg.terminalId });
  process.exit(await doctor(cfg, () => drivers(cfg, logger), logger, process.stdout, () => hardwareReport(cfg)));
} else {
  console.error(`usage: helppoint-kiosk run | enrol | doctor | --version\n${ENROL_USAGE}\n(unknown verb "${verb}")`);
  process.exit(2);
}
