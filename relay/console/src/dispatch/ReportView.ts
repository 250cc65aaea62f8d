import type { ReportRow } from '@helppoint/shared/types';
import { bi, h, setText } from '../dom.ts';
import { dispatchApi, type ReportParams } from './dispatchApi.ts';

const SVG_NS = 'http://www.w3.org/2000/svg';
function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}
const sec = (ms: number | null): string => (ms === null ? '—' : ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${Math.floor(ms / 60_000)}:${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}`);

/**
 * The response-time report (supervisors, admins): per day/week/month and
 * optionally per terminal, the median and 90th percentile of each leg, a
 * chart of press → on scene against the station's target, and a CSV export.
 */
export class ReportView {
  readonly el = h('section', { class: 'page page-report', 'data-testid': 'report-page' });
  readonly #period = h('select', { 'data-testid': 'report-period' }, h('option', { value: 'day' }, '按日 Day'), h('option', { value: 'week' }, '按周 Week'), h('option', { value: 'month' }, '按月 Month'));
  readonly #byTerminal = h('input', { type: 'checkbox', 'data-testid': 'report-by-terminal' });
  readonly #csv = h('a', { class: 'btn btn-secondary', 'data-testid': 'report-csv', download: '' }, bi({ zh: '导出CSV', en: 'Export CSV' }));
  readonly #target = h('p', { class: 'muted', 'data-testid': 'report-target' });
  readonly #body = h('tbody', {});
  readonly #chart = svg('svg', { viewBox: '0 0 800 220', class: 'report-chart', 'data-testid': 'report-chart' });
  readonly #onError: (error: unknown) => void;
  /** Only the newest request's answer is drawn: an older one answered late would show the wrong report. */
  #asked = 0;

  constructor(opts: { onError: (error: unknown) => void }) {
    this.#onError = opts.onError;
    this.#period.addEventListener('change', () => void this.refresh());
    this.#byTerminal.addEventListener('change', () => void this.refresh());
    const th = (zh: string, en: string) => h('th', {}, bi({ zh, en }));
    this.el.append(
      h('h1', {}, bi({ zh: '出警响应时间', en: 'Response times' })),
      h('div', { class: 'report-controls' }, this.#period, h('label', {}, this.#byTerminal, ' ', bi({ zh: '按终端', en: 'Per terminal' })), this.#csv),
      this.#target,
      this.#chart,
      h(
        'table',
        { class: 'report-table', 'data-testid': 'report-table' },
        h('thead', {}, h('tr', {}, th('周期', 'Period'), th('终端', 'Terminal'), th('呼叫', 'Calls'), th('求助→接听', 'Press→answer'), th('接听→派警', 'Answer→dispatch'), th('派警→到场', 'Dispatch→on scene'), th('求助→到场', 'Press→on scene'), th('达标', 'Within target'))),
        this.#body,
      ),
    );
  }

  #params(): ReportParams {
    return { period: this.#period.value as ReportParams['period'], byTerminal: this.#byTerminal.checked };
  }

  async refresh(): Promise<void> {
    const q = this.#params();
    const asked = ++this.#asked;
    this.#csv.href = dispatchApi.reportCsvUrl(q);
    try {
      const r = await dispatchApi.report(q);
      // The page's first (all-terminals) answer, if it comes after the per-terminal one, must not replace it.
      if (asked !== this.#asked) return;
      setText(this.#target, `目标：求助后 ${Math.round(r.targetMs / 60000)} 分钟内到场 · Target: on scene within ${Math.round(r.targetMs / 60000)} min of the press. p50 / p90 shown.`);
      this.#body.replaceChildren(...r.rows.map((row) => this.#row(row)));
      this.#drawChart(r.rows, r.targetMs);
    } catch (error) {
      if (asked === this.#asked) this.#onError(error);
    }
  }

  #row(r: ReportRow): HTMLElement {
    const pair = (s: ReportRow['pressToAnswer'], leg: string) => h('td', { class: 'mono', 'data-leg': leg, 'data-p50': s.p50Ms ?? '', 'data-p90': s.p90Ms ?? '' }, `${sec(s.p50Ms)} / ${sec(s.p90Ms)}`);
    return h(
      'tr',
      { 'data-testid': 'report-row', 'data-period': r.periodLabel, 'data-terminal': r.terminalId ?? '' },
      h('td', {}, r.periodLabel),
      h('td', {}, r.terminalId ?? '全部 All'),
      h('td', { 'data-testid': 'report-calls' }, String(r.calls)),
      pair(r.pressToAnswer, 'pressToAnswer'),
      pair(r.answerToDispatch, 'answerToDispatch'),
      pair(r.dispatchToOnScene, 'dispatchToOnScene'),
      pair(r.pressToOnScene, 'pressToOnScene'),
      h('td', {}, `${r.withinTarget}/${r.pressToOnScene.n}`),
    );
  }

  /** Bars: p50 (solid) and p90 (light) of press → on scene per row; the dashed line is the target. */
  #drawChart(rows: ReportRow[], targetMs: number): void {
    const W = 800, H = 220, pad = 30;
    const max = Math.max(targetMs * 1.2, ...rows.map((r) => r.pressToOnScene.p90Ms ?? 0));
    const y = (ms: number) => H - pad - ((H - 2 * pad) * ms) / max;
    const bw = rows.length ? Math.min(60, (W - 2 * pad) / rows.length - 6) : 0;
    const parts: SVGElement[] = [svg('line', { x1: pad, y1: H - pad, x2: W - pad, y2: H - pad, class: 'report-axis' })];
    rows.forEach((r, i) => {
      const x = pad + i * (bw + 6);
      const p90 = r.pressToOnScene.p90Ms, p50 = r.pressToOnScene.p50Ms;
      if (p90 !== null) parts.push(svg('rect', { x, y: y(p90), width: bw, height: H - pad - y(p90), class: 'report-bar-p90' }));
      if (p50 !== null) parts.push(svg('rect', { x, y: y(p50), width: bw, height: H - pad - y(p50), class: 'report-bar-p50', 'data-testid': 'report-bar' }));
      const t = svg('text', { x: x + bw / 2, y: H - 10, 'text-anchor': 'middle', class: 'report-label' });
      t.textContent = r.terminalId ?? r.periodLabel.slice(5);
      parts.push(t);
    });
    parts.push(svg('line', { x1: pad, y1: y(targetMs), x2: W - pad, y2: y(targetMs), class: 'report-target', 'data-testid': 'report-target-line' }));
    this.#chart.replaceChildren(...parts);
  }
}
