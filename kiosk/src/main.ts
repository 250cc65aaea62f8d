import path from 'node:path';
import pino from 'pino';
import { loadKioskConfig, type KioskConfig } from './config.ts';
import { Kiosk, type KioskDrivers } from './Kiosk.ts';
import { FilePrompter } from './voice/FilePrompter.ts';
import { SimButton } from './hw/SimButton.ts';
import { SimLed } from './hw/SimLed.ts';
import { FfmpegCamera } from './hw/FfmpegCamera.ts';
import { OnoffButton } from './hw/OnoffButton.ts';
import { OnoffLed } from './hw/OnoffLed.ts';
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
import { OnoffTamper } from './hw/OnoffTamper.ts';
import { SerialModem } from './hw/SerialModem.ts';
import { doctor } from './doctor/doctorCli.ts';
import { WarmCamera } from './hw/WarmCamera.ts';
import { KIOSK_VERSION } from './version.ts';

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
    // The room carries the speaker to the microphone, so the self-test's tone test means something.
    const room = new SimRoom({ logger });
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
      voice: new FilePrompter({ speaker: room.speaker, dirs: promptDirs, logger }),
      tamper,
      simTamper: tamper,
      ...(modem ? { modem, sms: new ModemSmsSender(modem) } : { modem: new SimModem(), sms: null }),
    };
  }
  const base = cfg.gpio.base === undefined ? {} : { gpioBase: cfg.gpio.base };
  const speaker = new AlsaSpeaker({ device: cfg.audio.playbackDevice, logger });
  const modem = serialModem(cfg, logger);
  return {
    button: await OnoffButton.create({ gpio: cfg.gpio.button, ...base, logger }),
    led: await OnoffLed.create({ gpio: cfg.gpio.led, ...base, logger }),
    camera: FfmpegCamera.v4l2({ device: cfg.video.device, width, height, fps, logger }),
    microphone: new AlsaMicrophone({ device: cfg.audio.captureDevice, logger }),
    speaker,
    voice: new FilePrompter({ speaker, dirs: promptDirs, logger }),
    ...(cfg.gpio.tamper != null ? { tamper: await OnoffTamper.create({ gpio: cfg.gpio.tamper, ...base, logger }) } : {}),
    ...(modem ? { modem, sms: new ModemSmsSender(modem) } : { sms: null }),
  };
}

/** One owner of the modem's serial port: the driver that polls it for health also sends the SMS. */
function serialModem(cfg: KioskConfig, logger: pino.Logger): SerialModem | null {
  return cfg.sms.modemPath ? SerialModem.create({ path: cfg.sms.modemPath, baudRate: cfg.sms.baudRate, logger }) : null;
}

async function run(): Promise<void> {
  const cfg = loadKioskConfig(process.env);
  const logger = pino({ name: 'kiosk', level: cfg.logLevel }).child({ terminalId: cfg.terminalId });
  const deviceKey = DeviceKey.load(cfg.keyFile);
  const relayCa = cfg.caFile ? fs.readFileSync(cfg.caFile) : undefined;
  logger.info({ keyFingerprint: deviceKey.fingerprint, pinnedCa: cfg.caFile ?? null }, 'device key loaded');
  const chosen = await drivers(cfg, logger);
  const warm = cfg.video.keepWarm ? new WarmCamera({ camera: chosen.camera, logger }) : null;
  if (warm) {
    chosen.camera = warm;
    warm.warmUp().catch((err: unknown) => logger.warn({ err }, 'camera could not start while idle; will try again at the next call'));
  }
  const kiosk = await Kiosk.create({ config: cfg, drivers: chosen, deviceKey, relayCa, logger });
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
  process.exit(await doctor(cfg, () => drivers(cfg, logger), logger));
} else {
  console.error(`usage: helppoint-kiosk run | enrol | doctor | --version\n${ENROL_USAGE}\n(unknown verb "${verb}")`);
  process.exit(2);
}
