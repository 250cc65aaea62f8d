import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Compile } from 'typebox/compile';
import { TerminalHealth } from '@helppoint/shared';
import { SimModem } from '../hw/SimModem.ts';
import { SimTamper } from '../hw/SimTamper.ts';
import { HealthCollector, type HealthSources } from './HealthCollector.ts';

const check = Compile(TerminalHealth);
let root: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-sys-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function zone(name: string, content: string) {
  fs.mkdirSync(path.join(root, 'sys/class/thermal', name), { recursive: true });
  fs.writeFileSync(path.join(root, 'sys/class/thermal', name, 'temp'), content);
}

function sources(over: Partial<HealthSources> = {}): HealthSources {
  return {
    version: '0.1.0',
    startedAtMs: 1_000_000,
    camera: { framesDelivered: 450, lastFrameAtMs: 9_000 },
    micLevelDbfs: () => null,
    buttonOkAtMs: () => null,
    tamper: null,
    modem: null,
    rttMs: () => null,
    clockOffsetMs: () => null,
    ...over,
  };
}

describe('HealthCollector', () => {
  it('reads the hottest sane thermal zone and memory, and builds a report the relay accepts', async () => {
    zone('thermal_zone0', '51234\n');
    zone('thermal_zone1', '-273000\n'); // a dead sensor
    zone('thermal_zone2', 'garbage');
    fs.mkdirSync(path.join(root, 'proc'));
    fs.writeFileSync(path.join(root, 'proc/meminfo'), 'MemTotal:        3884444 kB\nMemFree:          100000 kB\nMemAvailable:    2048000 kB\n');
    const modem = new SimModem();
    await modem.poll();
    const tamper = new SimTamper();
    tamper.set(true);
    const c = new HealthCollector({
      sources: sources({ modem, tamper, rttMs: () => 42, clockOffsetMs: () => -120, buttonOkAtMs: () => 5_000, micLevelDbfs: () => -300 }),
      sysRoot: path.join(root, 'sys'),
      procRoot: path.join(root, 'proc'),
      now: () => 1_061_000,
      perfNow: () => 10_000,
    });
    const h = c.collect();
    expect(h).toMatchObject({
      uptimeS: 61,
      cpuTempC: 51.2,
      memFreeMb: 2000,
      memTotalMb: 3793,
      camera: { framesDelivered: 450, lastFrameAgoS: 1 },
      buttonOkAgoS: 5,
      micLevelDbfs: -200,
      tamperOpen: true,
      lte: { present: true, registration: 'home', rssiDbm: -73 },
      rttMs: 42,
      clockOffsetMs: -120,
    });
    expect(h.diskFreeMb).toBeGreaterThan(0);
    expect(check.Check(h)).toBe(true);
  });

  it('a machine with no thermal zones, no modem and no tamper input reports nulls, still valid', () => {
    const h = new HealthCollector({ sources: sources(), sysRoot: path.join(root, 'nothing-here') }).collect();
    expect(h).toMatchObject({ cpuTempC: null, lte: null, tamperOpen: null, buttonOkAgoS: null });
    expect(check.Check(h)).toBe(true);
  });
});
