import { describe, expect, it } from 'vitest';
import { escapeFilterValue } from './ffmpegFilter.ts';

describe('escapeFilterValue', () => {
  it('leaves plain text alone', () => {
    expect(escapeFilterValue('HT-DC-017 Gate 3')).toBe('HT-DC-017 Gate 3');
  });

  it('escapes graph separators once and option separators twice', () => {
    expect(escapeFilterValue('a,b;c[d]')).toBe('a\\,b\\;c\\[d\\]');
    expect(escapeFilterValue('a:b')).toBe('a\\\\:b');
    expect(escapeFilterValue("it's")).toBe("it\\\\\\'s");
    expect(escapeFilterValue('a\\b')).toBe('a\\\\\\\\b');
  });
});
