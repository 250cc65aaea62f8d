import type { HealthPoint } from '@helppoint/shared/types';

const SVG = 'http://www.w3.org/2000/svg';

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

/**
 * A small line chart of one reading over time, drawn as SVG so it scales to
 * a phone's width. A gap of more than `gapMs` between points breaks the line,
 * so an offline night is not drawn as a straight slope.
 */
export function lineChart(points: readonly HealthPoint[], pick: (p: HealthPoint) => number | null, opts: { unit: string; color: string; gapMs?: number; testid: string }): SVGSVGElement {
  const W = 320;
  const H = 110;
  const pad = { l: 34, r: 6, t: 8, b: 18 };
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, class: 'fleet-chart', role: 'img', 'data-testid': opts.testid });
  const data = points.map((p) => ({ t: p.at, v: pick(p) })).filter((d): d is { t: number; v: number } => d.v !== null);
  svg.setAttribute('data-points', String(data.length));
  if (data.length === 0) {
    const empty = el('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'fleet-chart-empty' });
    empty.textContent = '暂无数据 No data';
    svg.append(empty);
    return svg;
  }
  const t0 = data[0]!.t;
  const t1 = Math.max(data.at(-1)!.t, t0 + 1);
  let lo = Math.min(...data.map((d) => d.v));
  let hi = Math.max(...data.map((d) => d.v));
  if (hi - lo < 1) {
    lo -= 1;
    hi += 1;
  }
  const x = (t: number) => pad.l + ((t - t0) / (t1 - t0)) * (W - pad.l - pad.r);
  const y = (v: number) => pad.t + (1 - (v - lo) / (hi - lo)) * (H - pad.t - pad.b);
  for (const v of [lo, hi]) {
    svg.append(el('line', { x1: pad.l, x2: W - pad.r, y1: y(v), y2: y(v), class: 'fleet-chart-grid' }));
    const label = el('text', { x: pad.l - 4, y: y(v) + 4, 'text-anchor': 'end', class: 'fleet-chart-label' });
    label.textContent = `${Math.round(v)}`;
    svg.append(label);
  }
  const gap = opts.gapMs ?? 6 * 60_000;
  let d = '';
  data.forEach((p, i) => {
    const move = i === 0 || p.t - data[i - 1]!.t > gap;
    d += `${move ? 'M' : 'L'}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`;
  });
  svg.append(el('path', { d, fill: 'none', stroke: opts.color, 'stroke-width': 2, 'vector-effect': 'non-scaling-stroke' }));
  const unit = el('text', { x: W - pad.r, y: H - 4, 'text-anchor': 'end', class: 'fleet-chart-label' });
  const span = (t1 - t0) / 3_600_000;
  unit.textContent = `${opts.unit} · ${span >= 1 ? `${span.toFixed(0)} h` : `${Math.max(1, Math.round(span * 60))} min`}`;
  svg.append(unit);
  return svg;
}
