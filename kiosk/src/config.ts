import fs from 'node:fs';
import path from 'node:path';

export interface KioskConfig {
  /** ws(s)://relay-host/ws/terminal */
  relayUrl: string;
  /** This terminal's fixed location ID. */
  terminalId: string;
  /** The device's Ed25519 private key (PEM, mode 0600), written by `enrol`. */
  keyFile: string;
  /** Optional CA certificate (PEM) to trust for a wss:// relay with a station's own certificate. */
  caFile: string | undefined;
  /** The local status endpoint (technicians, tests, the simulated button). Always loopback. */
  statusHost: string;
  statusPort: number;
  /** Simulated drivers (test-pattern camera, tone, measuring speaker, button over HTTP). */
  simulated: boolean;
  /**
   * keepWarm: capture while idle so a press does not wait for the camera (see hw/WarmCamera.ts). 'auto' (the
   *   default): warm for a real camera, not for the simulated one. Decided by measurement (issue 15): warm, the
   *   terminal has its first frame ~60 ms after a press instead of ~1 s (bench-call-setup, ffmpeg test pattern;
   *   libcamera starts slower still), and only a warm camera gives the pre-press clip; the simulated camera
   *   draws its picture in software, which costs more CPU idle than a real camera's hardware does.
   * prePressSeconds: with keepWarm, the seconds before (and after) a press kept in memory and uploaded as the
   * call's first evidence (media/PrePressBuffer.ts); 0 turns it off.
   */
  /**
   * device: 'auto' (a CSI camera through rpicam-vid, else the first USB camera
   * by id), 'csi' or 'csi:<n>' (rpicam-vid --camera n), or a V4L2 path
   * (/dev/v4l/by-id/..., /dev/video0).
   */
  video: { width: number; height: number; fps: number; device: string; keepWarm: boolean | 'auto'; prePressSeconds: number };
  /** ALSA devices: 'auto' (a USB speakerphone by card name, see hw/audio/alsaCards.ts) or an ALSA name like plughw:CARD=Device,DEV=0. */
  audio: { captureDevice: string; playbackDevice: string };
  /**
   * BCM numbers. tamper: the door switch's normally-closed contact; tamperNo:
   * its normally-open contact (the fail-safe two-wire loop, see hw/GpioTamper.ts).
   * driver: 'auto' uses sysfs (onoff) where the kernel has it, else the
   * character device; chipLabel overrides the Raspberry Pi chip labels.
   */
  gpio: {
    button: number;
    led: number;
    base: number | undefined;
    tamper?: number | null;
    tamperNo?: number | null;
    driver: 'auto' | 'sysfs' | 'cdev';
    chipLabel?: string | undefined;
  };
  /** Recorded voice prompts (<prompt>.wav) that replace the generated ones; '' for none. */
  promptsDir: string;
  /** Local hour (0-23) of the nightly self-test; null disables it. */
  selfTestHour: number | null;
  logLevel: string;
  /** Durable state (the press outbox). Production: /var/lib/helppoint-kiosk. */
  stateDir: string;
  /** Street address, for the SMS fallback (the relay has the full location record). */
  address: string;
  /**
   * The second path: SMS through the LTE modem to the station's duty numbers.
   * modemPath: a serial port (/dev/serial/by-id/...), 'none', or undefined to
   * find a known modem's AT port under /dev/serial/by-id (real hardware only).
   */
  sms: { modemPath: string | undefined; baudRate: number; dutyNumbers: string[]; timeZone: string };
  /** How long the resident is kept waiting for the relay after "network problem" before the press is left to the outbox. */
  offlineWaitMs: number;
  /** Cap of the reconnect backoff: after an outage the terminal is back within this long. */
  reconnectMaxMs: number;
}

export function defaultKioskConfig(): KioskConfig {
  return {
    relayUrl: 'ws://127.0.0.1:8080/ws/terminal',
    terminalId: '',
    keyFile: '/var/lib/helppoint-kiosk/device-key.pem',
    caFile: undefined,
    statusHost: '127.0.0.1',
    statusPort: 8700,
    simulated: false,
    video: { width: 640, height: 480, fps: 15, device: 'auto', keepWarm: 'auto', prePressSeconds: 3 },
    audio: { captureDevice: 'auto', playbackDevice: 'auto' },
    gpio: { button: 17, led: 27, base: undefined, tamper: null, tamperNo: null, driver: 'auto' },
    promptsDir: '/etc/helppoint/prompts',
    selfTestHour: 3,
    logLevel: 'info',
    stateDir: '',
    address: '',
    sms: { modemPath: undefined, baudRate: 115200, dutyNumbers: [], timeZone: 'Asia/Shanghai' },
    offlineWaitMs: 120_000,
    reconnectMaxMs: 10_000,
  };
}

/**
 * Configuration comes from a JSON file (HELPPOINT_KIOSK_CONFIG, written at
 * enrolment) and then HELPPOINT_* variables, which win. Checked here, once,
 * so the rest of the service can trust it.
 */
export function loadKioskConfig(env: NodeJS.ProcessEnv): KioskConfig {
  const cfg = defaultKioskConfig();
  const file = env['HELPPOINT_KIOSK_CONFIG'];
  if (file) {
    const fromFile = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<KioskConfig>;
    Object.assign(cfg, fromFile, {
      video: { ...cfg.video, ...fromFile.video },
      audio: { ...cfg.audio, ...fromFile.audio },
      gpio: { ...cfg.gpio, ...fromFile.gpio },
      sms: { ...cfg.sms, ...fromFile.sms },
    });
  }
  const int = (name: string, fallback: number) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
    return n;
  };
  cfg.relayUrl = env['HELPPOINT_RELAY_URL'] || cfg.relayUrl;
  cfg.terminalId = env['HELPPOINT_TERMINAL_ID'] || cfg.terminalId;
  cfg.keyFile = env['HELPPOINT_KEY_FILE'] || cfg.keyFile;
  cfg.caFile = env['HELPPOINT_RELAY_CA'] || cfg.caFile;
  cfg.statusPort = int('HELPPOINT_STATUS_PORT', cfg.statusPort);
  if (env['HELPPOINT_SIMULATED'] !== undefined) cfg.simulated = env['HELPPOINT_SIMULATED'] === '1';
  cfg.video.width = int('HELPPOINT_VIDEO_WIDTH', cfg.video.width);
  cfg.video.height = int('HELPPOINT_VIDEO_HEIGHT', cfg.video.height);
  cfg.video.fps = int('HELPPOINT_VIDEO_FPS', cfg.video.fps);
  const warm = env['HELPPOINT_CAMERA_WARM'];
  if (warm !== undefined && warm !== '') cfg.video.keepWarm = warm === 'auto' ? 'auto' : warm === '1';
  if (cfg.video.keepWarm !== 'auto' && typeof cfg.video.keepWarm !== 'boolean') throw new Error(`video.keepWarm must be true, false or "auto", got ${JSON.stringify(cfg.video.keepWarm)}`);
  cfg.video.prePressSeconds = int('HELPPOINT_PREPRESS_SECONDS', cfg.video.prePressSeconds);
  if (cfg.video.prePressSeconds > 10) throw new Error(`HELPPOINT_PREPRESS_SECONDS must be 0-10, got ${cfg.video.prePressSeconds}`);
  cfg.logLevel = env['HELPPOINT_LOG_LEVEL'] || cfg.logLevel;
  cfg.address = env['HELPPOINT_ADDRESS'] || cfg.address;
  cfg.offlineWaitMs = int('HELPPOINT_OFFLINE_WAIT_MS', cfg.offlineWaitMs);
  cfg.reconnectMaxMs = Math.max(1000, int('HELPPOINT_RECONNECT_MAX_MS', cfg.reconnectMaxMs));
  cfg.sms.modemPath = env['HELPPOINT_MODEM_PATH'] || cfg.sms.modemPath;
  cfg.video.device = env['HELPPOINT_CAMERA'] || cfg.video.device;
  cfg.audio.captureDevice = env['HELPPOINT_AUDIO_CAPTURE'] || cfg.audio.captureDevice;
  cfg.audio.playbackDevice = env['HELPPOINT_AUDIO_PLAYBACK'] || cfg.audio.playbackDevice;
  cfg.gpio.driver = (env['HELPPOINT_GPIO_DRIVER'] || cfg.gpio.driver) as KioskConfig['gpio']['driver'];
  checkHardwareConfig(cfg);
  if (env['HELPPOINT_DUTY_NUMBERS']) cfg.sms.dutyNumbers = env['HELPPOINT_DUTY_NUMBERS'].split(',').map((n) => n.trim()).filter(Boolean);
  for (const n of cfg.sms.dutyNumbers) if (!/^\+?[0-9]{3,20}$/.test(n)) throw new Error(`duty number "${n}" is not a phone number`);
  cfg.promptsDir = env['HELPPOINT_PROMPTS_DIR'] ?? cfg.promptsDir;
  const hour = env['HELPPOINT_SELFTEST_HOUR'];
  if (hour !== undefined && hour !== '') cfg.selfTestHour = hour === 'off' ? null : int('HELPPOINT_SELFTEST_HOUR', 3);
  if (cfg.selfTestHour !== null && !(Number.isInteger(cfg.selfTestHour) && cfg.selfTestHour >= 0 && cfg.selfTestHour <= 23)) {
    throw new Error(`self-test hour must be 0-23 or "off", got ${JSON.stringify(cfg.selfTestHour)}`);
  }
  if (!/^[A-Z0-9][A-Z0-9-]{1,31}$/.test(cfg.terminalId)) {
    throw new Error(`terminal ID "${cfg.terminalId}" is not a location ID like XC-SCH-001 (set HELPPOINT_TERMINAL_ID)`);
  }
  // The press outbox lives with the terminal's other state: beside the config
  // that `enrol` wrote (and the device key), else in .data/ of a checkout.
  // The systemd unit sets /var/lib/helppoint-kiosk explicitly.
  cfg.stateDir =
    env['HELPPOINT_STATE_DIR'] ||
    cfg.stateDir ||
    (file ? path.dirname(path.resolve(file)) : path.resolve(path.dirname(new URL(import.meta.url).pathname), `../../.data/kiosk-${cfg.terminalId}`));
  if (!/^wss?:\/\//.test(cfg.relayUrl)) throw new Error(`relay URL "${cfg.relayUrl}" must start with ws:// or wss://`);
  return cfg;
}

/** Whether the camera runs while idle: 'auto' means for a real camera, not the simulated one. */
export function cameraKeptWarm(cfg: Pick<KioskConfig, 'simulated' | 'video'>): boolean {
  return cfg.video.keepWarm === 'auto' ? !cfg.simulated : cfg.video.keepWarm;
}

/** Pin numbers, driver names and device names are checked once here, so a typo fails at start-up with its name. */
function checkHardwareConfig(cfg: KioskConfig): void {
  const g = cfg.gpio;
  if (!['auto', 'sysfs', 'cdev'].includes(g.driver)) throw new Error(`gpio.driver must be auto, sysfs or cdev, got ${JSON.stringify(g.driver)}`);
  const pins: Array<[string, number | null | undefined]> = [
    ['button', g.button],
    ['led', g.led],
    ['tamper', g.tamper],
    ['tamperNo', g.tamperNo],
  ];
  const used = new Map<number, string>();
  for (const [name, pin] of pins) {
    if (pin == null) continue;
    if (!Number.isInteger(pin) || pin < 0 || pin > 53) throw new Error(`gpio.${name} must be a BCM number 0-53, got ${JSON.stringify(pin)}`);
    const other = used.get(pin);
    if (other) throw new Error(`gpio.${name} and gpio.${other} are both BCM ${pin}`);
    used.set(pin, name);
  }
  if (g.tamperNo != null && g.tamper == null) throw new Error('gpio.tamperNo (the normally-open contact) needs gpio.tamper (the normally-closed one)');
  if (g.chipLabel !== undefined && (typeof g.chipLabel !== 'string' || !/^[\w.@:-]{1,64}$/.test(g.chipLabel))) {
    throw new Error(`gpio.chipLabel ${JSON.stringify(g.chipLabel)} is not a GPIO chip label`);
  }
  const dev = cfg.video.device;
  if (!/^(auto|csi(:\d{1,2})?|\/dev\/[\w./:+-]+)$/.test(dev)) throw new Error(`video.device must be auto, csi, csi:<n> or a /dev path, got ${JSON.stringify(dev)}`);
  for (const [name, v] of [
    ['captureDevice', cfg.audio.captureDevice],
    ['playbackDevice', cfg.audio.playbackDevice],
  ] as const) {
    // An ALSA PCM name; no spaces or shell characters (it ends up in ffmpeg's argv, never a shell, but a typo should fail here).
    if (!/^[\w:=,.-]{1,80}$/.test(v)) throw new Error(`audio.${name} ${JSON.stringify(v)} is not an ALSA device name (e.g. auto, plughw:CARD=Device,DEV=0)`);
  }
  const modem = cfg.sms.modemPath;
  // Any absolute path: a /dev/serial/by-id link on a terminal, a pty under /tmp in tests.
  if (modem !== undefined && modem !== 'none' && !/^\/[\w./:+-]+$/.test(modem)) throw new Error(`sms.modemPath must be an absolute path or "none", got ${JSON.stringify(modem)}`);
}
