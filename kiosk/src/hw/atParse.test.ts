import { describe, expect, it } from 'vitest';
import { isCregQueryAnswer, parseCops, parseCreg, parseCsq } from './atParse.ts';

describe('AT answer parsing', () => {
  it('CSQ maps 0..31 to dBm and 99 to unknown; rejects nonsense', () => {
    expect(parseCsq('+CSQ: 31,99')).toEqual({ csq: 31, rssiDbm: -51 });
    expect(parseCsq('+CSQ: 0,0')).toEqual({ csq: 0, rssiDbm: -113 });
    expect(parseCsq('+CSQ: 99,99')).toEqual({ csq: null, rssiDbm: null });
    expect(parseCsq('+CSQ: ,')).toEqual({ csq: null, rssiDbm: null });
    expect(() => parseCsq('+CSQ: 64,0')).toThrow(/out of range/);
  });
  it('tells the CREG query answer from the unsolicited forms', () => {
    expect(isCregQueryAnswer('+CREG: 0,1')).toBe(true);
    expect(isCregQueryAnswer('+CREG: 2,5,"1A2B","01C3D4E",7')).toBe(true);
    expect(isCregQueryAnswer('+CREG: 5')).toBe(false);
    expect(isCregQueryAnswer('+CREG: 1,"1A2B","01C3D4E",7')).toBe(false);
    expect(parseCreg('+CREG: 0,3')).toBe('denied');
    expect(parseCreg('+CREG: 0,9')).toBe('unknown');
  });
  it('COPS operator with commas in quotes, or none', () => {
    expect(parseCops('+COPS: 0,0,"CHN-UNICOM, 4G",7')).toBe('CHN-UNICOM, 4G');
    expect(parseCops('+COPS: 0')).toBeNull();
  });
});
