import fs from 'node:fs';

export interface KioskConfig {
  /** ws(s)://relay-host/ws/terminal */
  relayUrl: string;
  /** This terminal's fixed location ID. */
  terminalId: string;
  /** The local status endpoint (technicians, tests, the simulated button). Always loopback. */
  statusHost: string;
  statusPort: number;
  /** Simulated drivers (test-pattern camera, tone, measuring speaker, button over HTTP). */
  simulated: boolean;
  /** keepWarm: capture while idle so a press does not wait for the camera (see hw/WarmCamera.ts); off by default. */
  video: { width: number; height: number; fps: number; device: string; keepWarm: boolean };
  audio: { captureDevice: string; playbackDevice: string };
  gpio: { button: number; led: number; base: number | undefined };
  logLevel: string;
}

export function defaultKioskConfig(): KioskConfig {
  return {
    relayUrl: 'ws://127.0.0.1:8080/ws/terminal',
    terminalId: '',
    statusHost: '127.0.0.1',
    statusPort: 8700,
    simulated: false,
    video: { width: 640, height: 480, fps: 15, device: '/dev/video0', keepWarm: false },
    audio: { captureDevice: 'default', playbackDevice: 'default' },
    gpio: { button: 17, led: 27, base: undefined },
    logLevel: 'info',
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
  cfg.statusPort = int('HELPPOINT_STATUS_PORT', cfg.statusPort);
  if (env['HELPPOINT_SIMULATED'] !== undefined) cfg.simulated = env['HELPPOINT_SIMULATED'] === '1';
  cfg.video.width = int('HELPPOINT_VIDEO_WIDTH', cfg.video.width);
  cfg.video.height = int('HELPPOINT_VIDEO_HEIGHT', cfg.video.height);
  cfg.video.fps = int('HELPPOINT_VIDEO_FPS', cfg.video.fps);
  if (env['HELPPOINT_CAMERA_WARM'] !== undefined && env['HELPPOINT_CAMERA_WARM'] !== '') cfg.video.keepWarm = env['HELPPOINT_CAMERA_WARM'] === '1';
  cfg.logLevel = env['HELPPOINT_LOG_LEVEL'] || cfg.logLevel;
  if (!/^[A-Z0-9][A-Z0-9-]{1,31}$/.test(cfg.terminalId)) {
    throw new Error(`terminal ID "${cfg.terminalId}" is not a location ID like XC-SCH-001 (set HELPPOINT_TERMINAL_ID)`);
  }
  if (!/^wss?:\/\//.test(cfg.relayUrl)) throw new Error(`relay URL "${cfg.relayUrl}" must start with ws:// or wss://`);
  return cfg;
}
