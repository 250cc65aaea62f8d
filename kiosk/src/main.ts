import pino from 'pino';
import { loadKioskConfig, type KioskConfig } from './config.ts';
import { Kiosk, type KioskDrivers } from './Kiosk.ts';
import { LogPrompter } from './call/LogPrompter.ts';
import { SimButton } from './hw/SimButton.ts';
import { SimLed } from './hw/SimLed.ts';
import { FfmpegCamera } from './hw/FfmpegCamera.ts';
import { ToneMicrophone } from './hw/ToneMicrophone.ts';
import { MeasuringSpeaker } from './hw/MeasuringSpeaker.ts';
import { OnoffButton } from './hw/OnoffButton.ts';
import { OnoffLed } from './hw/OnoffLed.ts';
import { AlsaMicrophone } from './hw/AlsaMicrophone.ts';
import { AlsaSpeaker } from './hw/AlsaSpeaker.ts';
import { WarmCamera } from './hw/WarmCamera.ts';

/**
 * The one place that reads configuration, picks real or simulated drivers,
 * wires the service and shuts it down. Usage: helppoint-kiosk run
 */
async function drivers(cfg: KioskConfig, logger: pino.Logger): Promise<KioskDrivers> {
  const voice = new LogPrompter(logger);
  const { width, height, fps } = cfg.video;
  if (cfg.simulated) {
    const button = new SimButton({ logger });
    return {
      button,
      simButton: button,
      led: new SimLed(),
      camera: FfmpegCamera.testPattern({ width, height, fps, label: cfg.terminalId, logger }),
      microphone: new ToneMicrophone({ logger }),
      speaker: new MeasuringSpeaker(),
      voice,
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
  };
}

async function run(): Promise<void> {
  const cfg = loadKioskConfig(process.env);
  const logger = pino({ name: 'kiosk', level: cfg.logLevel }).child({ terminalId: cfg.terminalId });
  const chosen = await drivers(cfg, logger);
  const warm = cfg.video.keepWarm ? new WarmCamera({ camera: chosen.camera, logger }) : null;
  if (warm) {
    chosen.camera = warm;
    warm.warmUp().catch((err: unknown) => logger.warn({ err }, 'camera could not start while idle; will try again at the next call'));
  }
  const kiosk = await Kiosk.create({ config: cfg, drivers: chosen, logger });
  if (process.send) process.send({ type: 'ready', statusUrl: kiosk.status.url });
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
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
if (verb === 'run') {
  await run();
} else {
  console.error(`usage: helppoint-kiosk run\n(unknown verb "${verb}")`);
  process.exit(2);
}
