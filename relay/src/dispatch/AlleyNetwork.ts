import fs from 'node:fs';
import type { Feature, FeatureCollection, LineString, Point, Position } from 'geojson';
import pathFinderModule from 'geojson-path-finder';
import turfDistance from '@turf/distance';

// geojson-path-finder ships CommonJS with a `default` export: Node's ESM
// import gives the module object (the class is one level down), while
// bundlers that read its "module" field give the class itself.
type PathFinderCtor = typeof pathFinderModule.default;
const pathFinderExport = pathFinderModule as unknown as PathFinderCtor | { default: PathFinderCtor };
const PathFinder: PathFinderCtor = typeof pathFinderExport === 'function' ? pathFinderExport : pathFinderExport.default;

export interface LatLon {
  latitude: number;
  longitude: number;
}

export interface Distance {
  metres: number;
  /** network: along the alleys; straight: straight line × the detour factor. */
  method: 'network' | 'straight';
}

/** Metres between two points on the WGS84 sphere (haversine, via turf). */
export function straightMetres(a: LatLon, b: LatLon): number {
  return turfDistance([a.longitude, a.latitude], [b.longitude, b.latitude], { units: 'meters' });
}

/** Vertices are added along every line at most this far apart, so a point snaps to a spot near where it is. */
const DENSIFY_M = 20;

/**
 * Walking distance through the station's alleys. The network is GeoJSON
 * LineStrings (lines that share a coordinate are joined); a point off the
 * network walks straight to its nearest vertex. Without a network, or when
 * the two points are not connected, the distance is the straight line times
 * the detour factor (hutongs rarely run the way you want to go).
 */
export class AlleyNetwork {
  readonly detourFactor: number;
  readonly #finder: InstanceType<PathFinderCtor> | null;
  readonly #vertices: Position[];

  private constructor(lines: FeatureCollection<LineString> | null, detourFactor: number) {
    this.detourFactor = detourFactor;
    if (!lines) {
      this.#finder = null;
      this.#vertices = [];
      return;
    }
    const dense = densify(lines);
    this.#finder = new PathFinder(dense, { tolerance: 1e-6 });
    const seen = new Map<string, Position>();
    for (const f of dense.features) for (const p of f.geometry.coordinates) seen.set(`${p[0]},${p[1]}`, p);
    this.#vertices = [...seen.values()];
  }

  static straightOnly(detourFactor: number): AlleyNetwork {
    return new AlleyNetwork(null, detourFactor);
  }

  /** Throws with a clear message when the file is not a FeatureCollection of LineStrings. */
  static fromGeoJson(json: unknown, detourFactor: number): AlleyNetwork {
    return new AlleyNetwork(checkLines(json), detourFactor);
  }

  static fromFile(file: string, detourFactor: number): AlleyNetwork {
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (error) {
      throw new Error(`alley network ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    return AlleyNetwork.fromGeoJson(json, detourFactor);
  }

  get hasNetwork(): boolean {
    return this.#finder !== null;
  }

  get vertexCount(): number {
    return this.#vertices.length;
  }

  distance(from: LatLon, to: LatLon): Distance {
    const straight = (): Distance => ({ metres: straightMetres(from, to) * this.detourFactor, method: 'straight' });
    if (!this.#finder) return straight();
    const a = this.#nearest(from);
    const b = this.#nearest(to);
    if (!a || !b) return straight();
    const legs = a.metres + b.metres;
    if (a.vertex === b.vertex) return { metres: straightMetres(from, to), method: 'network' };
    const path = this.#finder.findPath(point(a.vertex), point(b.vertex));
    if (!path) return straight();
    // weight is kilometres (the library's default weight is turf's distance).
    const metres = path.weight * 1000 + legs;
    // Never claim a walk shorter than the straight line (snapping can cut corners).
    return { metres: Math.max(metres, straightMetres(from, to)), method: 'network' };
  }

  #nearest(p: LatLon): { vertex: Position; metres: number } | null {
    let best: Position | null = null;
    let bestM = Infinity;
    for (const v of this.#vertices) {
      const m = straightMetres(p, { latitude: v[1]!, longitude: v[0]! });
      if (m < bestM) {
        bestM = m;
        best = v;
      }
    }
    return best ? { vertex: best, metres: bestM } : null;
  }
}

function point(p: Position): Feature<Point> {
  return { type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: p } };
}

function checkLines(json: unknown): FeatureCollection<LineString> {
  const fc = json as { type?: unknown; features?: unknown };
  if (!fc || fc.type !== 'FeatureCollection' || !Array.isArray(fc.features)) throw new Error('alley network must be a GeoJSON FeatureCollection');
  const features: Feature<LineString>[] = [];
  fc.features.forEach((f: unknown, i: number) => {
    const g = (f as { geometry?: { type?: unknown; coordinates?: unknown } } | null)?.geometry;
    if (!g || g.type !== 'LineString' || !Array.isArray(g.coordinates) || g.coordinates.length < 2) {
      throw new Error(`alley network feature ${i} is not a LineString with at least two points`);
    }
    for (const c of g.coordinates as unknown[]) {
      const [lon, lat] = c as [unknown, unknown];
      if (typeof lon !== 'number' || typeof lat !== 'number' || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
        throw new Error(`alley network feature ${i} has a coordinate that is not [lon, lat]`);
      }
    }
    features.push(f as Feature<LineString>);
  });
  if (!features.length) throw new Error('alley network has no lines');
  return { type: 'FeatureCollection', features };
}

/** Adds vertices every DENSIFY_M metres along each segment (end points unchanged, so junctions still join). */
function densify(fc: FeatureCollection<LineString>): FeatureCollection<LineString> {
  return {
    type: 'FeatureCollection',
    features: fc.features.map((f) => {
      const out: Position[] = [];
      const cs = f.geometry.coordinates;
      for (let i = 0; i < cs.length - 1; i++) {
        const [lon1, lat1] = cs[i] as [number, number];
        const [lon2, lat2] = cs[i + 1] as [number, number];
        const m = straightMetres({ latitude: lat1, longitude: lon1 }, { latitude: lat2, longitude: lon2 });
        const steps = Math.max(1, Math.ceil(m / DENSIFY_M));
        for (let s = 0; s < steps; s++) out.push([lon1 + ((lon2 - lon1) * s) / steps, lat1 + ((lat2 - lat1) * s) / steps]);
      }
      out.push(cs[cs.length - 1]!);
      return { ...f, geometry: { type: 'LineString', coordinates: out } };
    }),
  };
}
