import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_FONT_CANDIDATES, findFont } from './findFont.ts';

describe('findFont', () => {
  it('returns the first candidate that exists', () => {
    const present = new Set(['/b.ttf', '/c.ttf']);
    expect(findFont(['/a.ttf', '/b.ttf', '/c.ttf'], (p) => present.has(p))).toBe('/b.ttf');
  });

  it('returns null when none exists', () => {
    expect(findFont(['/nope.ttf'], () => false)).toBeNull();
  });

  it('with the real file system, agrees with the default list', () => {
    const expected = DEFAULT_FONT_CANDIDATES.find((p) => existsSync(p)) ?? null;
    expect(findFont()).toBe(expected);
  });
});
