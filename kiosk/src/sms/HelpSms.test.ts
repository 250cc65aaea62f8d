import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SerialModem } from '../hw/SerialModem.ts';
import { AtModemSimulator } from '../hw/testing/AtModemSimulator.ts';
import { Outbox } from '../store/Outbox.ts';
import { HelpSms } from './HelpSms.ts';
import { ModemSmsSender } from './ModemSmsSender.ts';

/** The help SMS through the one modem driver (the same code as on the Pi), against the pty modem. */
const logger = pino({ level: 'silent' });
let dir: string;
let sim: AtModemSimulator;
let modem: SerialModem;
let outbox: Outbox;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-helpsms-'));
  sim = await AtModemSimulator.start();
  modem = SerialModem.create({ path: sim.path, commandTimeoutMs: 500, logger });
  outbox = Outbox.open(dir);
});
afterEach(async () => {
  await modem.close();
  await sim.close();
  outbox.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const helpSms = (dutyNumbers: string[]) =>
  new HelpSms({ sender: new ModemSmsSender(modem), outbox, dutyNumbers, locationId: 'XC-HT-003', address: '西城区烟袋斜街东口', timeZone: 'Asia/Shanghai', logger, retryDelayMs: 10 });

describe('help SMS through the modem driver', () => {
  it('a refused message is retried; each duty number gets the Chinese text once, and the press is marked', async () => {
    outbox.add('req-1', Date.UTC(2026, 10, 29, 3, 17));
    sim.state.refuseSms = 1;
    expect(await helpSms(['+8613800138000', '13900139000']).send('req-1')).toBe(true);
    expect(sim.sms.map((m) => [m.to, m.text])).toEqual([
      ['+8613800138000', '【一键求助】XC-HT-003 西城区烟袋斜街东口 11-29 11:17 视频线路不通，请回拨'],
      ['13900139000', '【一键求助】XC-HT-003 西城区烟袋斜街东口 11-29 11:17 视频线路不通，请回拨'],
    ]);
    expect(outbox.get('req-1')?.smsSentAt).not.toBeNull();
    // Sent once per press.
    expect(await helpSms(['+8613800138000']).send('req-1')).toBe(true);
    expect(sim.sms).toHaveLength(2);
    // The health poll that shares the port still reads plain text afterwards.
    expect(await modem.poll()).toMatchObject({ present: true, operator: 'CHINA MOBILE' });
  });

  it('a modem that refuses every attempt leaves the press unmarked, to be tried again', async () => {
    outbox.add('req-2', Date.now());
    sim.state.refuseSms = Infinity;
    expect(await helpSms(['13800138000']).send('req-2')).toBe(false);
    expect(sim.commands.filter((c) => c.startsWith('AT+CMGS='))).toHaveLength(3);
    expect(outbox.get('req-2')?.smsSentAt).toBeNull();
  });
});
