/**
 * The offline schematic of the Shichahai area: a fixed lat/lon box drawn with
 * an equirectangular projection (over ~2 km the error against the real map is
 * far below a dot's size). Pure, so the geometry is unit-tested.
 */
export interface MapBox {
  latMin: number;
  latMax: number;
  lonMin: number;
  lonMax: number;
}

export const SHICHAHAI: MapBox = { latMin: 39.9335, latMax: 39.9460, lonMin: 116.3755, lonMax: 116.3985 };
export const MAP_WIDTH = 1000;

export function mapHeight(box: MapBox = SHICHAHAI): number {
  const midLat = ((box.latMin + box.latMax) / 2) * (Math.PI / 180);
  return Math.round((MAP_WIDTH * (box.latMax - box.latMin)) / ((box.lonMax - box.lonMin) * Math.cos(midLat)));
}

export function project(lat: number, lon: number, box: MapBox = SHICHAHAI): { x: number; y: number } {
  const x = ((lon - box.lonMin) / (box.lonMax - box.lonMin)) * MAP_WIDTH;
  const y = ((box.latMax - lat) / (box.latMax - box.latMin)) * mapHeight(box);
  return { x: Math.round(x * 10) / 10, y: Math.round(y * 10) / 10 };
}

export function inside(lat: number, lon: number, box: MapBox = SHICHAHAI): boolean {
  return lat >= box.latMin && lat <= box.latMax && lon >= box.lonMin && lon <= box.lonMax;
}

/** Outlines traced by hand from public maps: enough to recognise the lakes, not a survey. */
export const LAKES: { name: string; nameEn: string; points: [number, number][] }[] = [
  {
    name: '后海',
    nameEn: 'Houhai',
    points: [
      [39.9398, 116.389], [39.9408, 116.3879], [39.9422, 116.3861], [39.9434, 116.3836], [39.9441, 116.381],
      [39.9437, 116.3796], [39.9425, 116.3803], [39.9412, 116.3826], [39.9402, 116.385], [39.9395, 116.3874],
    ],
  },
  {
    name: '前海',
    nameEn: 'Qianhai',
    points: [
      [39.9395, 116.3893], [39.9389, 116.3912], [39.9376, 116.3926], [39.9359, 116.3933], [39.9347, 116.3926],
      [39.9349, 116.3905], [39.9362, 116.3893], [39.9381, 116.3887],
    ],
  },
  {
    name: '西海',
    nameEn: 'Xihai',
    points: [[39.9452, 116.3768], [39.9458, 116.3782], [39.9449, 116.3795], [39.9441, 116.3786], [39.9444, 116.3771]],
  },
];

/** Main streets as polylines, for orientation. */
export const STREETS: { name: string; points: [number, number][] }[] = [
  { name: '地安门外大街', points: [[39.9335, 116.3962], [39.946, 116.3962]] },
  { name: '德胜门内大街', points: [[39.9335, 116.3778], [39.946, 116.3778]] },
  { name: '鼓楼西大街', points: [[39.9412, 116.3962], [39.946, 116.3855]] },
  { name: '护国寺街', points: [[39.9372, 116.3778], [39.9372, 116.3862]] },
];

/** Web Mercator tile numbers (the station's own tile server, if it has one). */
export function tileOf(lat: number, lon: number, zoom: number): { x: number; y: number } {
  const n = 2 ** zoom;
  const rad = (lat * Math.PI) / 180;
  return {
    x: ((lon + 180) / 360) * n,
    y: ((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n,
  };
}

export function tileCorner(x: number, y: number, zoom: number): { lat: number; lon: number } {
  const n = 2 ** zoom;
  const lon = (x / n) * 360 - 180;
  const lat = (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / n))) * 180) / Math.PI;
  return { lat, lon };
}
