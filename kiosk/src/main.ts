import pino from 'pino';
import { loadKioskConfig, type KioskConfig } from './config.ts';
import { Kiosk, type KioskDrivers } from './Kiosk.ts';
import { LogPrompter } from './call/LogPrompter.ts';
import { SimButton } from './hw/SimButton.ts';
import { SimLed } from './hw/SimLed.ts';
import { FfmpegCamera } from './hw/FfmpegCamera.ts';
import { OnoffButton } from './hw/OnoffButton.ts';
import { OnoffLed } from './hw/OnoffLed.ts';
import { AlsaMicrophone } from './hw/AlsaMicrophone.ts';
import { AlsaSpeaker } from './hw/AlsaSpeaker.ts';
import { SimRoom } from './hw/SimRoom.ts';
import { SimTamper } from './hw/SimTamper.ts';
import { SimModem } from './hw/SimModem.ts';
import { OnoffTamper } from './hw/OnoffTamper.ts';
import { SerialModem } from './hw/SerialModem.ts';
import { doctor } from './doctor/doctorCli.ts';

/**
 * The one place that reads configuration, picks real or simulated drivers,
 * wires the service and shuts it down. Usage: helppoint-kiosk run
 */
async function drivers(cfg: KioskConfig, logger: pino.Logger): Promise<KioskDrivers> {
  const voice = new LogPrompter(logger);
  const { width, height, fps } = cfg.video;
  if (cfg.simulated) {
    const button = new SimButton({ logger });
    // The room carries the speaker to the microphone, so the self-test's tone test means something.
    const room = new SimRoom({ logger });
    const tamper = new SimTamper();
    return {
      button,
      simButton: button,
      led: new SimLed(),
      camera: FfmpegCamera.testPattern({ width, height, fps, label: cfg.terminalId, logger }),
      microphone: room.microphone,
      speaker: room.speaker,
      voice,
      tamper,
      simTamper: tamper,
      modem: new SimModem(),
    };
  }
  const base = cfg.gpio.base === undefined ? {} : { gpioBase: cfg.gpio.base };
  return {
    button: await OnoffButton.create({ gpio: cfg.gpio.button, ...base, logger }),
    led: await OnoffLed.create({ gpio: cfg.gpio.led, ...base, logger }),
    camera: FfmpegCamera.v4l2({ device: cfg.video.device, width, height, fps, logger }),
    microphone: new AlsaMicrophone({ device: cfg.audio.captureDevice, logger }),
    speaker: new AlsaSpeaker({ device: cfg.audio.playbackDevice, logger }),
    voice,
    ...(cfg.gpio.tamper != null ? { tamper: await OnoffTamper.create({ gpio: cfg.gpio.tamper, ...base, logger }) } : {}),
    ...(cfg.modemPath ? { modem: SerialModem.create({ path: cfg.modemPath, logger }) } : {}),
  };
}

async function run(): Promise<void> {
  const cfg = loadKioskConfig(process.env);
  const logger = pino({ name: 'kiosk', level: cfg.logLevel }).child({ terminalId: cfg.terminalId });
  const kiosk = await Kiosk.create({ config: cfg, drivers: await drivers(cfg, logger), logger });
  if (process.send) process.send({ type: 'ready', statusUrl: kiosk.status.url });
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      kiosk.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
}

const verb = process.argv[2] ?? 'run';
if (verb === 'run') {
  await run();
} else if (verb === 'doctor') {
  const cfg = loadKioskConfig(process.env);
  const logger = pino({ name: 'kiosk-doctor', level: process.env['HELPPOINT_LOG_LEVEL'] ?? 'warn' }).child({ terminalId: cfg.terminalId });
  process.exit(await doctor(cfg, () => drivers(cfg, logger), logger));
} else {
  console.error(`usage: helppoint-kiosk run | doctor\n(unknown verb "${verb}")`);
  process.exit(2);
}
