import { describe, expect, it } from 'vitest';
import { helpSmsText, SMS_MAX_UNITS } from './smsText.ts';
import { fitOneUcs2Sms, fromUcs2Hex, toUcs2Hex } from '../hw/ucs2.ts';

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
    expect(() => fromUcs2Hex('ZZZZ')).toThrow();
  });

  it('cuts text to one UCS2 message without splitting an emoji', () => {
    expect(fitOneUcs2Sms('求助')).toBe('求助');
    // The emoji's two UTF-16 units straddle the cut: both go.
    const cut = fitOneUcs2Sms(`${'a'.repeat(68)}😀${'b'.repeat(10)}`);
    expect(cut).toBe(`${'a'.repeat(68)}…`);
    expect(fitOneUcs2Sms(`${'a'.repeat(67)}😀${'b'.repeat(10)}`)).toBe(`${'a'.repeat(67)}😀…`);
    expect(cut.length).toBeLessThanOrEqual(SMS_MAX_UNITS);
  });
});
