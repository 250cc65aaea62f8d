import { bi, h, setAttr } from './dom.ts';
import { LAKES, MAP_WIDTH, STREETS, inside, mapHeight, project, tileCorner, tileOf } from './mapProjection.ts';
import type { TerminalRow } from './selectors.ts';

const SVG_NS = 'http://www.w3.org/2000/svg';
const TILE_ZOOM = 17;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

export type MapState = 'offline' | 'idle' | 'calling' | 'in-call';

export function mapState(row: TerminalRow): MapState {
  if (row.call?.state === 'ringing') return 'calling';
  if (row.call?.state === 'answered') return 'in-call';
  return row.terminal.online ? 'idle' : 'offline';
}

const LEGEND: { state: MapState; zh: string; en: string }[] = [
  { state: 'calling', zh: '求助中', en: 'Calling' },
  { state: 'in-call', zh: '通话中', en: 'In call' },
  { state: 'idle', zh: '在线', en: 'Idle' },
  { state: 'offline', zh: '离线', en: 'Offline' },
];

/**
 * Every terminal on a schematic of the Shichahai area, drawn from its
 * coordinates with no network at all (police networks are closed). A station
 * with its own tile server can put real tiles underneath.
 */
export class MapView {
  readonly el: HTMLElement;
  readonly #svg: SVGSVGElement;
  readonly #tiles = svg('g', { class: 'map-tiles' });
  readonly #dots = svg('g', { class: 'map-dots' });
  readonly #offMap = h('p', { class: 'map-offmap', hidden: true });
  readonly #markers = new Map<string, SVGGElement>();
  #tileUrl = '';

  constructor() {
    const height = mapHeight();
    this.#svg = svg('svg', { viewBox: `0 0 ${MAP_WIDTH} ${height}`, class: 'map-svg', role: 'img', 'aria-label': '什刹海地区终端分布图 Terminals around Shichahai' });
    const base = svg('g', { class: 'map-base' });
    base.append(svg('rect', { x: 0, y: 0, width: MAP_WIDTH, height, class: 'map-land' }));
    for (const street of STREETS) {
      const pts = street.points.map(([lat, lon]) => project(lat, lon));
      base.append(svg('polyline', { points: pts.map((p) => `${p.x},${p.y}`).join(' '), class: 'map-street' }));
      const mid = pts[Math.floor(pts.length / 2)] ?? pts[0]!;
      const label = svg('text', { x: mid.x + 6, y: Math.max(14, mid.y - 6), class: 'map-street-label' });
      label.textContent = street.name;
      base.append(label);
    }
    for (const lake of LAKES) {
      const pts = lake.points.map(([lat, lon]) => project(lat, lon));
      base.append(svg('polygon', { points: pts.map((p) => `${p.x},${p.y}`).join(' '), class: 'map-lake' }));
      const cx = pts.reduce((a, p) => a + p.x, 0) / pts.length;
      const cy = pts.reduce((a, p) => a + p.y, 0) / pts.length;
      const label = svg('text', { x: cx, y: cy, class: 'map-lake-label', 'text-anchor': 'middle' });
      label.textContent = `${lake.name} ${lake.nameEn}`;
      base.append(label);
    }
    const north = svg('text', { x: MAP_WIDTH - 24, y: 28, class: 'map-north', 'text-anchor': 'middle' });
    north.textContent = '北 N ↑';
    this.#svg.append(this.#tiles, base, this.#dots, north);
    const legend = h(
      'ul',
      { class: 'map-legend' },
      ...LEGEND.map((l) => h('li', { 'data-state': l.state }, h('span', { class: 'map-swatch' }), bi({ zh: l.zh, en: l.en }))),
    );
    this.el = h(
      'section',
      { class: 'panel map-panel', 'data-testid': 'map' },
      h('h2', { class: 'panel-title' }, bi({ zh: '终端地图', en: 'Terminal map' })),
      h('div', { class: 'map-frame' }, this.#svg),
      legend,
      this.#offMap,
    );
  }

  /** A station tile server (…/{z}/{x}/{y}.png) drawn under the schematic; '' for none. */
  setTileUrl(url: string): void {
    if (url === this.#tileUrl) return;
    this.#tileUrl = url;
    this.#tiles.replaceChildren();
    if (!url) return;
    // Tiles are placed by their corners in the schematic's projection, so dots and tiles agree.
    const nw = tileOf(39.946, 116.3755, TILE_ZOOM);
    const se = tileOf(39.9335, 116.3985, TILE_ZOOM);
    for (let x = Math.floor(nw.x); x <= Math.floor(se.x); x++) {
      for (let y = Math.floor(nw.y); y <= Math.floor(se.y); y++) {
        const a = tileCorner(x, y, TILE_ZOOM);
        const b = tileCorner(x + 1, y + 1, TILE_ZOOM);
        const p = project(a.lat, a.lon);
        const q = project(b.lat, b.lon);
        const href = url.replace('{z}', String(TILE_ZOOM)).replace('{x}', String(x)).replace('{y}', String(y));
        this.#tiles.append(svg('image', { href, x: p.x, y: p.y, width: q.x - p.x, height: q.y - p.y, preserveAspectRatio: 'none' }));
      }
    }
    setAttr(this.el, 'data-tiles', 'true');
  }

  update(rows: TerminalRow[]): void {
    const seen = new Set<string>();
    const off: string[] = [];
    for (const row of rows) {
      const t = row.terminal;
      seen.add(t.id);
      if (!inside(t.latitude, t.longitude)) {
        off.push(t.id);
        continue;
      }
      let marker = this.#markers.get(t.id);
      if (!marker) {
        marker = this.#marker(row);
        this.#markers.set(t.id, marker);
      }
      const state = mapState(row);
      if (marker.getAttribute('data-state') !== state) {
        marker.setAttribute('data-state', state);
        // The calling terminal is drawn last so nothing covers it.
        if (state === 'calling') this.#dots.append(marker);
      }
    }
    for (const [id, marker] of this.#markers) {
      if (seen.has(id)) continue;
      marker.remove();
      this.#markers.delete(id);
    }
    this.#offMap.hidden = off.length === 0;
    this.#offMap.textContent = off.length ? `不在示意图范围内 Outside the schematic: ${off.join(', ')}` : '';
  }

  #marker(row: TerminalRow): SVGGElement {
    const t = row.terminal;
    const p = project(t.latitude, t.longitude);
    const g = svg('g', { class: 'map-marker', 'data-testid': 'map-terminal', 'data-terminal-id': t.id, transform: `translate(${p.x} ${p.y})` });
    const title = svg('title');
    title.textContent = `${t.id} ${t.name}\n${t.address}`;
    g.append(title, svg('circle', { r: 26, class: 'map-halo' }), svg('circle', { r: 9, class: 'map-dot' }));
    const label = svg('text', { x: 13, y: 4, class: 'map-label' });
    label.textContent = t.id;
    g.append(label);
    this.#dots.append(g);
    return g;
  }
}
