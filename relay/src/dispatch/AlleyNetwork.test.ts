import { describe, expect, it } from 'vitest';
import { DEMO_ALLEY_NETWORK } from '../config.ts';
import { DEMO_TERMINALS } from '../db/demoData.ts';
import { AlleyNetwork, straightMetres } from './AlleyNetwork.ts';

const terminal = (id: string) => {
  const t = DEMO_TERMINALS.find((x) => x.id === id)!;
  return { latitude: t.latitude, longitude: t.longitude };
};

describe('AlleyNetwork', () => {
  const net = AlleyNetwork.fromFile(DEMO_ALLEY_NETWORK, 1.4);

  it('routes around Houhai: across the lake is three times the straight line', () => {
    // Houhai Nanyan school (south bank) to Houhai Beiyan kindergarten (north bank)
    const a = terminal('XC-SCH-013');
    const b = terminal('XC-KG-014');
    const straight = straightMetres(a, b);
    const d = net.distance(a, b);
    expect(d.method).toBe('network');
    expect(straight).toBeGreaterThan(400);
    expect(straight).toBeLessThan(500);
    expect(d.metres).toBeGreaterThan(2.5 * straight);
  });

  it('is never shorter than the straight line, and symmetric within a few metres', () => {
    for (const [x, y] of [['XC-SCH-001', 'XC-HT-006'], ['XC-KG-005', 'XC-HT-003'], ['XC-SCH-004', 'XC-KG-017']] as const) {
      const a = terminal(x);
      const b = terminal(y);
      const ab = net.distance(a, b).metres;
      expect(ab).toBeGreaterThanOrEqual(straightMetres(a, b));
      expect(Math.abs(ab - net.distance(b, a).metres)).toBeLessThan(5);
    }
  });

  it('ranks a responder on the right bank first even when another is closer as the crow flies', () => {
    const target = terminal('XC-KG-014'); // north bank
    const acrossLake = { latitude: 39.9404, longitude: 116.3838 }; // south bank, ~440 m straight
    const sameBank = { latitude: 39.9447, longitude: 116.3790 }; // north bank, further west, ~620 m straight
    expect(straightMetres(acrossLake, target)).toBeLessThan(straightMetres(sameBank, target));
    expect(net.distance(sameBank, target).metres).toBeLessThan(net.distance(acrossLake, target).metres);
  });

  it('without a network: straight line times the detour factor', () => {
    const plain = AlleyNetwork.straightOnly(1.4);
    const a = terminal('XC-SCH-001');
    const b = terminal('XC-HT-003');
    const d = plain.distance(a, b);
    expect(d.method).toBe('straight');
    expect(d.metres).toBeCloseTo(straightMetres(a, b) * 1.4, 6);
  });

  it('refuses GeoJSON that is not a collection of lines, with a message saying which feature', () => {
    expect(() => AlleyNetwork.fromGeoJson({ type: 'Feature' }, 1.4)).toThrow(/FeatureCollection/);
    expect(() => AlleyNetwork.fromGeoJson({ type: 'FeatureCollection', features: [{ type: 'Feature', geometry: { type: 'Point', coordinates: [1, 2] } }] }, 1.4)).toThrow(/feature 0/);
    expect(() => AlleyNetwork.fromGeoJson({ type: 'FeatureCollection', features: [{ type: 'Feature', geometry: { type: 'LineString', coordinates: [[116.38, 39.93], [200, 39.94]] } }] }, 1.4)).toThrow(/lon, lat/);
    expect(() => AlleyNetwork.fromGeoJson({ type: 'FeatureCollection', features: [] }, 1.4)).toThrow(/no lines/);
  });
});
