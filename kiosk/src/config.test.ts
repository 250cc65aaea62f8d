import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cameraKeptWarm, loadKioskConfig } from './config.ts';

function writeConfig(body: object): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-kcfg-'));
  const file = path.join(dir, 'kiosk.json');
  fs.writeFileSync(file, JSON.stringify(body));
  return file;
}

describe('loadKioskConfig', () => {
  it('keeps the press outbox beside the config that enrol wrote, unless told otherwise', () => {
    const file = writeConfig({ relayUrl: 'wss://relay.station/ws/terminal', terminalId: 'XC-SCH-001', keyFile: 'k.pem' });
    expect(loadKioskConfig({ HELPPOINT_KIOSK_CONFIG: file }).stateDir).toBe(path.dirname(file));
    expect(loadKioskConfig({ HELPPOINT_KIOSK_CONFIG: file, HELPPOINT_STATE_DIR: '/var/lib/x' }).stateDir).toBe('/var/lib/x');
  });

  it('environment wins over the file', () => {
    const file = writeConfig({ relayUrl: 'ws://a/ws/terminal', terminalId: 'XC-SCH-001' });
    const cfg = loadKioskConfig({ HELPPOINT_KIOSK_CONFIG: file, HELPPOINT_RELAY_URL: 'ws://b/ws/terminal', HELPPOINT_VIDEO_FPS: '30' });
    expect(cfg.relayUrl).toBe('ws://b/ws/terminal');
    expect(cfg.video.fps).toBe(30);
  });

  it('refuses what would make a terminal call the wrong place or nobody', () => {
    expect(() => loadKioskConfig({ HELPPOINT_TERMINAL_ID: 'lower-case' })).toThrow(/location ID/);
    expect(() => loadKioskConfig({ HELPPOINT_TERMINAL_ID: 'XC-SCH-001', HELPPOINT_RELAY_URL: 'http://relay' })).toThrow(/ws:\/\//);
    expect(() => loadKioskConfig({ HELPPOINT_TERMINAL_ID: 'XC-SCH-001', HELPPOINT_VIDEO_FPS: 'fast' })).toThrow(/integer/);
    expect(() => loadKioskConfig({ HELPPOINT_TERMINAL_ID: 'XC-SCH-001', HELPPOINT_DUTY_NUMBERS: '110; AT+CFUN=0' })).toThrow(/phone number/);
    expect(() => loadKioskConfig({ HELPPOINT_TERMINAL_ID: 'XC-SCH-001', HELPPOINT_SELFTEST_HOUR: '25' })).toThrow(/0-23/);
  });

  it('hardware defaults find devices by name; bad pins, drivers and device names are refused with their name', () => {
    const id = { HELPPOINT_TERMINAL_ID: 'XC-SCH-001' };
    const d = loadKioskConfig(id);
    expect(d.video.device).toBe('auto');
    expect(d.audio).toEqual({ captureDevice: 'auto', playbackDevice: 'auto' });
    expect(d.gpio).toMatchObject({ button: 17, led: 27, driver: 'auto', tamper: null, tamperNo: null });
    expect(loadKioskConfig({ ...id, HELPPOINT_GPIO_DRIVER: 'cdev', HELPPOINT_CAMERA: 'csi:1', HELPPOINT_AUDIO_CAPTURE: 'plughw:CARD=USB,DEV=0' })).toMatchObject({
      gpio: { driver: 'cdev' },
      video: { device: 'csi:1' },
      audio: { captureDevice: 'plughw:CARD=USB,DEV=0', playbackDevice: 'auto' },
    });
    expect(() => loadKioskConfig({ ...id, HELPPOINT_GPIO_DRIVER: 'pigpio' })).toThrow(/gpio.driver must be auto, sysfs or cdev/);
    expect(() => loadKioskConfig({ HELPPOINT_KIOSK_CONFIG: writeConfig({ ...id, terminalId: 'XC-SCH-001', gpio: { tamper: 17 } }) })).toThrow(
      /gpio.tamper and gpio.button are both BCM 17/,
    );
    expect(() => loadKioskConfig({ HELPPOINT_KIOSK_CONFIG: writeConfig({ terminalId: 'XC-SCH-001', gpio: { button: 529 } }) })).toThrow(/BCM number 0-53/);
    expect(() => loadKioskConfig({ HELPPOINT_KIOSK_CONFIG: writeConfig({ terminalId: 'XC-SCH-001', gpio: { tamperNo: 23 } }) })).toThrow(/needs gpio.tamper/);
    expect(() => loadKioskConfig({ ...id, HELPPOINT_CAMERA: 'video0' })).toThrow(/video.device/);
    expect(() => loadKioskConfig({ ...id, HELPPOINT_AUDIO_PLAYBACK: 'hw:1,0; rm -rf /' })).toThrow(/not an ALSA device name/);
    expect(() => loadKioskConfig({ ...id, HELPPOINT_MODEM_PATH: 'ttyUSB2' })).toThrow(/sms.modemPath/);
    expect(loadKioskConfig({ ...id, HELPPOINT_MODEM_PATH: '/tmp/helppoint-modem-x/ttyModem' }).sms.modemPath).toBe('/tmp/helppoint-modem-x/ttyModem');
    // What older enrolments wrote still loads.
    const old = writeConfig({ terminalId: 'XC-SCH-001', video: { device: '/dev/video0' }, audio: { captureDevice: 'plughw:1,0', playbackDevice: 'default' } });
    expect(loadKioskConfig({ HELPPOINT_KIOSK_CONFIG: old }).audio.captureDevice).toBe('plughw:1,0');
    // The pre-press clip: 3 s unless set, 0 turns it off, more than 10 s is refused (the relay takes at most 10 s before the press).
    expect(loadKioskConfig({ HELPPOINT_KIOSK_CONFIG: old }).video.prePressSeconds).toBe(3);
    expect(loadKioskConfig({ ...id, HELPPOINT_PREPRESS_SECONDS: '0' }).video.prePressSeconds).toBe(0);
    expect(() => loadKioskConfig({ ...id, HELPPOINT_PREPRESS_SECONDS: '30' })).toThrow(/HELPPOINT_PREPRESS_SECONDS/);
  });

  it('loads the example a technician copies (deploy/kiosk.example.json): stable device names, the fail-safe door loop', () => {
    const example = path.resolve(import.meta.dirname, '../../deploy/kiosk.example.json');
    const cfg = loadKioskConfig({ HELPPOINT_KIOSK_CONFIG: example });
    expect(cfg.sms.modemPath).toMatch(/^\/dev\/serial\/by-id\//);
    expect(cfg.audio).toEqual({ captureDevice: 'auto', playbackDevice: 'auto' });
    expect(cfg.video.device).toBe('auto');
    expect(cfg.gpio).toMatchObject({ button: 17, led: 27, tamper: 22, tamperNo: 23, driver: 'auto' });
    // A real terminal keeps its camera warm (first picture, pre-press clip); the simulated one does not.
    expect(cameraKeptWarm(cfg)).toBe(true);
  });

  it('the camera is kept warm for a real camera by default, for the simulated one only when asked; nonsense is refused', () => {
    const file = writeConfig({ relayUrl: 'ws://a/ws/terminal', terminalId: 'XC-SCH-001' });
    const load = (env: Record<string, string> = {}) => loadKioskConfig({ HELPPOINT_KIOSK_CONFIG: file, ...env });
    expect(cameraKeptWarm(load())).toBe(true);
    expect(cameraKeptWarm(load({ HELPPOINT_SIMULATED: '1' }))).toBe(false);
    expect(cameraKeptWarm(load({ HELPPOINT_SIMULATED: '1', HELPPOINT_CAMERA_WARM: '1' }))).toBe(true);
    expect(cameraKeptWarm(load({ HELPPOINT_CAMERA_WARM: '0' }))).toBe(false);
    const bad = writeConfig({ relayUrl: 'ws://a/ws/terminal', terminalId: 'XC-SCH-001', video: { keepWarm: 'yes' } });
    expect(() => loadKioskConfig({ HELPPOINT_KIOSK_CONFIG: bad })).toThrow(/keepWarm must be true, false or "auto"/);
  });
});
