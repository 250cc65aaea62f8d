import type { KioskConfig } from '../config.ts';
import { chooseAlsaDevices, listAlsaCards, type AlsaCard, type AlsaChoice } from './alsa/alsaCards.ts';
import { chooseCamera, listCsiCameras, listUsbCameras, type CameraChoice, type CsiCamera } from './camera/cameraDiscovery.ts';
import { pickGpioChip } from './gpio/CdevGpioBackend.ts';
import { parseGpiodetect, probeGpiodTools, runTool, type GpioChipInfo } from './gpio/gpiodTools.ts';
import { gpioInterfaces } from './gpio/selectGpioBackend.ts';
import { chooseModemPort, listSerialById, type ModemChoice } from './modem/modemDiscovery.ts';

/** What is plugged in, read without opening anything (safe while the service runs). */
export interface HardwareInventory {
  gpio: { sysfs: boolean; devices: string[]; tools: string | null; chips: GpioChipInfo[]; error: string | null };
  csiCameras: CsiCamera[];
  csiError: string | null;
  usbCameras: string[];
  alsaCards: AlsaCard[];
  serialById: string[];
  pins: Array<{ pin: number; func: string; pull: string | null; level: string | null }>;
}

export interface HardwareChoice {
  gpio: { driver: 'sysfs' | 'cdev'; chip: string | null; reason: string };
  camera: CameraChoice;
  capture: AlsaChoice;
  playback: AlsaChoice;
  modem: ModemChoice;
}

export interface DiscoverOptions {
  devRoot?: string;
  procRoot?: string;
  sysfsGpioRoot?: string;
  gpiodToolsDir?: string;
  rpicamCommand?: string;
  /** False skips asking libcamera (a second or two) when the camera is configured explicitly. */
  listCsi?: boolean;
  /** BCM pins whose pull and direction to read with Raspberry Pi OS's `pinctrl` (sysfs relies on config.txt for them). */
  pins?: number[];
  pinctrlCommand?: string;
}

export async function discoverHardware(o: DiscoverOptions = {}): Promise<HardwareInventory> {
  const iface = gpioInterfaces({ sysfsRoot: o.sysfsGpioRoot, devRoot: o.devRoot });
  const gpio: HardwareInventory['gpio'] = { sysfs: iface.sysfs, devices: iface.chips, tools: null, chips: [], error: null };
  if (iface.chips.length) {
    try {
      const tools = await probeGpiodTools(o.gpiodToolsDir);
      gpio.tools = `libgpiod tools v${tools.version}`;
      gpio.chips = parseGpiodetect(await runTool(tools.bin.gpiodetect, []));
    } catch (err) {
      gpio.error = err instanceof Error ? err.message : String(err);
    }
  }
  const csi = o.listCsi === false ? { cameras: [], error: 'not listed: camera configured' } : await listCsiCameras(o.rpicamCommand);
  const pins = o.pins?.length ? await readPins(o.pins, o.pinctrlCommand) : [];
  return {
    gpio,
    csiCameras: csi.cameras,
    csiError: csi.error,
    usbCameras: listUsbCameras(o.devRoot),
    alsaCards: listAlsaCards(o.procRoot),
    serialById: listSerialById(o.devRoot),
    pins,
  };
}

/**
 * `pinctrl get 17` on Raspberry Pi OS prints "17: ip    pu | hi // GPIO17 = input":
 * the function, the pull and the level as the hardware has them right now,
 * whichever interface set them. Empty where pinctrl is not installed.
 */
export function parsePinctrl(text: string): Array<{ pin: number; func: string; pull: string | null; level: string | null }> {
  const out: Array<{ pin: number; func: string; pull: string | null; level: string | null }> = [];
  for (const line of text.split('\n')) {
    // An output also shows its drive ("op dl pd | lo").
    const m = /^\s*(\d+):\s+(\S+)(?:\s+d[hl])?(?:\s+(pu|pd|pn))?\s*(?:\|\s*(hi|lo))?/.exec(line);
    if (m) out.push({ pin: Number(m[1]), func: m[2] as string, pull: m[3] ?? null, level: m[4] ?? null });
  }
  return out;
}

async function readPins(pins: number[], command = 'pinctrl'): Promise<HardwareInventory['pins']> {
  try {
    return parsePinctrl(await runTool(command, ['get', pins.join(',')]));
  } catch {
    return [];
  }
}

/** The devices main.ts opens, each with the reason, from the configuration and what was found. */
export function chooseHardware(cfg: KioskConfig, inv: HardwareInventory, devRoot = '/dev'): HardwareChoice {
  const driver = cfg.gpio.driver === 'auto' ? (inv.gpio.sysfs ? 'sysfs' : 'cdev') : cfg.gpio.driver;
  let chip: string | null = null;
  let gpioReason = cfg.gpio.driver === 'auto' ? (inv.gpio.sysfs ? 'sysfs GPIO present' : 'no sysfs GPIO: character device') : 'configured';
  if (driver === 'cdev') {
    try {
      const c = pickGpioChip(inv.gpio.chips, cfg.gpio.chipLabel);
      chip = `${c.name} [${c.label}]`;
    } catch (err) {
      gpioReason += `; ${inv.gpio.error ?? (err instanceof Error ? err.message : String(err))}`;
    }
  }
  const audio = chooseAlsaDevices(inv.alsaCards, { capture: cfg.audio.captureDevice, playback: cfg.audio.playbackDevice });
  return {
    gpio: { driver, chip, reason: gpioReason },
    camera: chooseCamera(cfg.video.device, { csi: inv.csiCameras, usb: inv.usbCameras }),
    ...audio,
    modem: chooseModemPort(cfg.sms.modemPath, inv.serialById, devRoot),
  };
}

/** For `doctor`: what was found, then what was chosen and why, one line each. */
export function describeHardware(inv: HardwareInventory, choice: HardwareChoice, opts: { pullUps?: number[] } = {}): string[] {
  const pullUps = new Set(opts.pullUps ?? []);
  const g = inv.gpio;
  const cards = inv.alsaCards.map((c) => `${c.index} ${c.id} "${c.name}" (${[c.capture ? 'capture' : '', c.playback ? 'playback' : ''].filter(Boolean).join('+') || 'no pcm0'})`);
  const cam = choice.camera;
  return [
    '发现 Found:',
    `  GPIO     sysfs ${g.sysfs ? 'yes' : 'no'}; character devices: ${g.devices.join(', ') || 'none'}${g.chips.length ? ` (${g.chips.map((c) => `${c.name} [${c.label}]`).join(', ')})` : ''}${g.tools ? `; ${g.tools}` : ''}${g.error ? `; ${g.error}` : ''}`,
    `  CSI      ${inv.csiCameras.map((c) => `${c.index}: ${c.model}`).join(', ') || 'none'}${inv.csiError ? ` (${inv.csiError})` : ''}`,
    `  USB cam  ${inv.usbCameras.join(', ') || 'none'}`,
    `  ALSA     ${cards.join('; ') || 'no sound cards'}`,
    `  serial   ${inv.serialById.join(', ') || 'nothing under /dev/serial/by-id'}`,
    ...(inv.pins.length ? [`  pins     ${inv.pins.map((p) => `BCM${p.pin} ${p.func}${p.pull ? ` ${p.pull}` : ''}${p.level ? ` ${p.level}` : ''}${pullUps.has(p.pin) && p.pull !== 'pu' ? ' (NO PULL-UP: config.txt gpio= line missing)' : ''}`).join(', ')}`] : []),
    '选用 Chosen:',
    `  GPIO     ${choice.gpio.driver}${choice.gpio.chip ? ` ${choice.gpio.chip}` : ''} (${choice.gpio.reason})`,
    `  camera   ${cam.kind === 'csi' ? `CSI camera ${cam.camera} via rpicam-vid` : `V4L2 ${cam.device} via ffmpeg`} (${cam.reason})`,
    `  mic      ${choice.capture.device} (${choice.capture.reason})`,
    `  speaker  ${choice.playback.device} (${choice.playback.reason})`,
    `  modem    ${choice.modem.path ?? 'none'} (${choice.modem.reason})`,
  ];
}
