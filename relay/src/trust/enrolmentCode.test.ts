import { describe, expect, it } from 'vitest';
import { hashEnrolmentCode, newEnrolmentCode, normaliseEnrolmentCode } from './enrolmentCode.ts';

describe('enrolment codes', () => {
  it('are XXXX-XXXX-XXXX without look-alike letters, and differ each time', () => {
    const codes = new Set(Array.from({ length: 200 }, () => newEnrolmentCode()));
    expect(codes.size).toBe(200);
    for (const c of codes) expect(c).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
  });

  it('forgive case, spaces, dashes and O/I/L typed for 0/1; refuse anything else', () => {
    expect(normaliseEnrolmentCode('k7qm 2d9p-xw4r')).toBe('K7QM2D9PXW4R');
    expect(normaliseEnrolmentCode('OOOO-IIII-LLLL')).toBe('000011111111');
    expect(normaliseEnrolmentCode('K7QM-2D9P-XW4')).toBeNull();
    expect(normaliseEnrolmentCode('K7QM-2D9P-XW4U')).toBeNull();
    expect(normaliseEnrolmentCode('K7QM-2D9P-XW4R-')).toBe('K7QM2D9PXW4R');
    expect(hashEnrolmentCode('K7QM2D9PXW4R')).toMatch(/^[0-9a-f]{64}$/);
  });
});
