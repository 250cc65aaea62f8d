import { SerialPort } from 'serialport';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AtSmsSender } from './AtSmsSender.ts';
import { SerialSmsSender } from './SerialSmsSender.ts';
import { helpSmsText, SMS_MAX_UNITS } from './smsText.ts';
import { fromUcs2Hex, toUcs2Hex } from './ucs2.ts';
import { PtyModem } from './testing/PtyModem.ts';

const logger = pino({ level: 'silent' });

describe('SMS over AT commands (a pty modem)', () => {
  let modem: PtyModem;
  beforeEach(async () => {
    modem = await PtyModem.start();
  });
  afterEach(async () => {
    await modem.close();
  });

  it('sends a Chinese text in UCS2 text mode and the modem records it', async () => {
    const sms = new SerialSmsSender({ path: modem.path, baudRate: 115200, logger });
    const r = await sms.send('+8613800138000', '【一键求助】XC-HT-003 烟袋斜街东口');
    expect(r.reference).toBe(1);
    expect(modem.messages).toEqual([{ to: '+8613800138000', text: '【一键求助】XC-HT-003 烟袋斜街东口', at: expect.any(Number) }]);
    expect(modem.commands.slice(0, 4)).toEqual(['ATE0', 'AT+CMGF=1', 'AT+CSCS="UCS2"', 'AT+CSMP=17,167,0,8']);
  });

  it('a refusal (+CMS ERROR) rejects with the modem response; the next message still goes', async () => {
    const sms = new SerialSmsSender({ path: modem.path, baudRate: 115200, logger });
    modem.failNext = 1;
    await expect(sms.send('13800138000', 'x')).rejects.toThrow(/\+CMS ERROR: 500/);
    await expect(sms.send('13800138000', 'y')).resolves.toEqual({ reference: 1 });
    expect(modem.messages.map((m) => m.text)).toEqual(['y']);
  });

  it('refuses something that is not a phone number before touching the modem', async () => {
    const port = new SerialPort({ path: modem.path, baudRate: 115200 });
    const sms = new AtSmsSender({ stream: port, logger });
    await expect(sms.send('110; AT+CFUN=0', 'x')).rejects.toThrow(/not a phone number/);
    expect(modem.commands).toEqual([]);
    sms.close();
    await new Promise<void>((r) => port.close(() => r()));
  });

  it('a modem that never answers times out instead of hanging the terminal', async () => {
    const { PassThrough } = await import('node:stream');
    const { AtChannel } = await import('./AtChannel.ts');
    const at = new AtChannel({ stream: new PassThrough(), logger });
    await expect(at.command('AT', { timeoutMs: 100 })).rejects.toThrow(/did not answer AT within 100 ms/);
  });
});

describe('help SMS text', () => {
  it('names the location, the address and the Beijing time, and fits one UCS2 SMS', () => {
    const text = helpSmsText({ locationId: 'XC-HT-003', address: '北京市西城区烟袋斜街东口', pressedAt: Date.UTC(2026, 10, 29, 3, 17), timeZone: 'Asia/Shanghai' });
    expect(text).toBe('【一键求助】XC-HT-003 北京市西城区烟袋斜街东口 11-29 11:17 视频线路不通，请回拨');
    expect(text.length).toBeLessThanOrEqual(SMS_MAX_UNITS);
  });

  it('shortens a long address, never the location ID or the time', () => {
    const text = helpSmsText({ locationId: 'XC-SCH-001', address: '北'.repeat(200), pressedAt: 0, timeZone: 'Asia/Shanghai' });
    expect(text.length).toBe(SMS_MAX_UNITS);
    expect(text).toContain('XC-SCH-001');
    expect(text).toContain('01-01 08:00');
    expect(text).toContain('…');
  });

  it('UCS2 hex round-trips and rejects garbage', () => {
    expect(toUcs2Hex('求助A')).toBe('6C4252A90041');
    expect(fromUcs2Hex('6C4252A90041')).toBe('求助A');
    expect(() => fromUcs2Hex('6C4')).toThrow();
  });
});
