import { describe, expect, it } from 'vitest';
import { MAP_WIDTH, inside, mapHeight, project, tileCorner, tileOf } from './mapProjection.ts';

describe('the Shichahai schematic', () => {
  it('puts north up and east right, inside the drawing', () => {
    const h = mapHeight();
    const bridge = project(39.93962, 116.38931); // 银锭桥
    const gulou = project(39.94275, 116.38775); // north of it
    const yandai = project(39.94003, 116.39265); // east of it
    expect(gulou.y).toBeLessThan(bridge.y);
    expect(yandai.x).toBeGreaterThan(bridge.x);
    for (const p of [bridge, gulou, yandai]) {
      expect(p.x).toBeGreaterThan(0);
      expect(p.x).toBeLessThan(MAP_WIDTH);
      expect(p.y).toBeGreaterThan(0);
      expect(p.y).toBeLessThan(h);
    }
  });

  it('keeps metres square (a degree of longitude is shorter than one of latitude here)', () => {
    const a = project(39.94, 116.38);
    const b = project(39.941, 116.38); // ~111 m north
    const c = project(39.94, 116.381); // ~85 m east
    expect(Math.abs(a.y - b.y) / Math.abs(c.x - a.x)).toBeCloseTo(111.2 / 85.2, 1);
  });

  it('knows which terminals are off the schematic', () => {
    expect(inside(39.94, 116.385)).toBe(true);
    expect(inside(39.9, 116.385)).toBe(false);
  });

  it('converts to and from Web Mercator tiles', () => {
    const t = tileOf(39.94, 116.385, 17);
    const back = tileCorner(t.x, t.y, 17);
    expect(back.lat).toBeCloseTo(39.94, 6);
    expect(back.lon).toBeCloseTo(116.385, 6);
  });
});
