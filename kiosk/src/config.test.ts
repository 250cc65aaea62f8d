import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKioskConfig } from './config.ts';

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
});
