import type { CandidateView, DispatchView, ResponderView, TerminalView } from '@helppoint/shared/types';
import { bi, h, setText } from '../dom.ts';
import { formatClock, type Bilingual } from '../format.ts';
import { MAP_WIDTH, mapHeight, project } from '../mapProjection.ts';
import { dispatchApi } from './dispatchApi.ts';
import { KIND_LABELS, STATUS_LABELS, formatAge, formatMetres } from './dispatchLabels.ts';

const SVG_NS = 'http://www.w3.org/2000/svg';
function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}
const labelText = (l: Bilingual): string => `${l.zh} ${l.en}`;

export interface DispatchPanelOptions {
  onError: (error: unknown) => void;
  onInfo: (message: Bilingual) => void;
}

/**
 * The desk's dispatch panel for one call: on-duty responders nearest the
 * terminal first (distance along the alleys, status, age of position), one
 * click assigns the ticked ones, and every job's status as it changes. A
 * small map shows the terminal and the responders moving.
 */
export class DispatchPanel {
  readonly el = h('section', { class: 'dispatch-panel', 'data-testid': 'dispatch-panel', hidden: true });
  readonly #title = h('h2', { class: 'dispatch-title' });
  readonly #list = h('tbody', {});
  readonly #jobs = h('ul', { class: 'dispatch-jobs', 'data-testid': 'dispatch-jobs' });
  readonly #assign: HTMLButtonElement;
  readonly #alert = h('div', { class: 'dispatch-alert', role: 'alert', 'data-testid': 'dispatch-escalated', hidden: true });
  readonly #dots = svg('g', { class: 'dispatch-dots' });
  readonly #opts: DispatchPanelOptions;
  #callId: string | null = null;
  /** Distances and position ages are re-read while the panel is open. */
  #refresh: ReturnType<typeof setInterval> | null = null;
  #terminal: TerminalView | null = null;
  #candidates: CandidateView[] = [];
  readonly #selected = new Set<number>();
  /** Every dispatch this desk knows (from /ws/dispatch), by id. */
  readonly #dispatches = new Map<number, DispatchView>();
  readonly #responders = new Map<number, ResponderView>();

  constructor(opts: DispatchPanelOptions) {
    this.#opts = opts;
    this.#assign = h('button', { type: 'button', class: 'btn btn-answer', 'data-testid': 'dispatch-assign', disabled: true }, bi({ zh: '派出', en: 'Assign' }));
    this.#assign.addEventListener('click', () => void this.#doAssign());
    const close = h('button', { type: 'button', class: 'btn btn-ghost', 'data-testid': 'dispatch-close' }, bi({ zh: '关闭', en: 'Close' }));
    close.addEventListener('click', () => this.close());
    const refresh = h('button', { type: 'button', class: 'btn btn-secondary', 'data-testid': 'dispatch-refresh' }, bi({ zh: '刷新', en: 'Refresh' }));
    refresh.addEventListener('click', () => void this.#loadCandidates());
    const height = mapHeight();
    const map = svg('svg', { viewBox: `0 0 ${MAP_WIDTH} ${height}`, class: 'dispatch-map', 'data-testid': 'dispatch-map' });
    map.append(svg('rect', { x: 0, y: 0, width: MAP_WIDTH, height, class: 'map-land' }), this.#dots);
    const table = h(
      'table',
      { class: 'dispatch-table' },
      h('thead', {}, h('tr', {}, h('th', {}, ''), h('th', {}, bi({ zh: '单位', en: 'Unit' })), h('th', {}, bi({ zh: '类别', en: 'Kind' })), h('th', {}, bi({ zh: '状态', en: 'Status' })), h('th', {}, bi({ zh: '距离', en: 'Distance' })), h('th', {}, bi({ zh: '位置', en: 'Position' })))),
      this.#list,
    );
    this.el.append(
      h('header', { class: 'dispatch-head' }, this.#title, h('span', { class: 'strip-spacer' }), refresh, close),
      this.#alert,
      table,
      h('div', { class: 'dispatch-actions' }, this.#assign),
      this.#jobs,
      map,
    );
  }

  get callId(): string | null {
    return this.#callId;
  }

  async open(callId: string, terminal: TerminalView): Promise<void> {
    this.#callId = callId;
    this.#terminal = terminal;
    this.#selected.clear();
    setText(this.#title, `派警 Dispatch · ${terminal.id} ${terminal.name}`);
    this.el.hidden = false;
    this.el.dataset['callId'] = callId;
    if (this.#refresh) clearInterval(this.#refresh);
    this.#refresh = setInterval(() => void this.#loadCandidates(), 10_000);
    await Promise.all([this.#loadCandidates(), this.#loadJobs()]);
  }

  close(): void {
    if (this.#refresh) clearInterval(this.#refresh);
    this.#refresh = null;
    this.#callId = null;
    this.el.hidden = true;
  }

  /** From the /ws/dispatch hello. */
  load(responders: ResponderView[], dispatches: DispatchView[]): void {
    this.#responders.clear();
    for (const r of responders) this.#responders.set(r.id, r);
    for (const d of dispatches) this.#dispatches.set(d.id, d);
    this.#render();
  }

  dispatchUpdated(d: DispatchView): void {
    const before = this.#dispatches.get(d.id);
    this.#dispatches.set(d.id, d);
    if (d.escalatedAt !== null && before?.escalatedAt == null) {
      this.#opts.onInfo({ zh: `${d.responder.unitName} 未在规定时间内接单，请改派`, en: `${d.responder.unitName} has not accepted: pick another unit` });
    }
    if (d.status === 'refused' && before?.status !== 'refused') {
      this.#opts.onInfo({ zh: `${d.responder.unitName} 拒绝：${d.refuseReason}`, en: `${d.responder.unitName} refused: ${d.refuseReason}` });
    }
    this.#render();
  }

  responderUpdated(r: ResponderView): void {
    this.#responders.set(r.id, r);
    const c = this.#candidates.find((x) => x.responder.id === r.id);
    if (c) c.responder = r;
    this.#render();
  }

  async #loadCandidates(): Promise<void> {
    if (!this.#callId) return;
    try {
      this.#candidates = await dispatchApi.candidates(this.#callId);
    } catch (error) {
      this.#opts.onError(error);
    }
    this.#render();
  }

  async #loadJobs(): Promise<void> {
    if (!this.#callId) return;
    try {
      for (const d of await dispatchApi.forCall(this.#callId)) this.#dispatches.set(d.id, d);
    } catch (error) {
      this.#opts.onError(error);
    }
    this.#render();
  }

  async #doAssign(): Promise<void> {
    const callId = this.#callId;
    if (!callId || !this.#selected.size) return;
    this.#assign.disabled = true;
    try {
      const made = await dispatchApi.dispatch(callId, [...this.#selected]);
      for (const d of made) this.#dispatches.set(d.id, d);
      this.#selected.clear();
      this.#opts.onInfo({ zh: `已派出 ${made.map((d) => d.responder.unitName).join('、')}`, en: `Dispatched ${made.map((d) => d.responder.unitName).join(', ')}` });
      await this.#loadCandidates();
    } catch (error) {
      this.#opts.onError(error);
    }
    this.#render();
  }

  async #cancel(id: number): Promise<void> {
    try {
      this.#dispatches.set(id, await dispatchApi.cancel(id));
    } catch (error) {
      this.#opts.onError(error);
    }
    this.#render();
  }

  #render(): void {
    if (!this.#callId) return;
    const callId = this.#callId;
    const rows = this.#candidates.map((c) => {
      const r = this.#responders.get(c.responder.id) ?? c.responder;
      const box = h('input', { type: 'checkbox', 'data-testid': `pick-${r.username}`, 'aria-label': r.unitName, disabled: r.status !== 'free' });
      box.checked = this.#selected.has(r.id);
      box.addEventListener('change', () => {
        if (box.checked) this.#selected.add(r.id);
        else this.#selected.delete(r.id);
        this.#assign.disabled = this.#selected.size === 0;
      });
      return h(
        'tr',
        { 'data-testid': 'dispatch-candidate', 'data-username': r.username, 'data-status': r.status },
        h('td', {}, box),
        h('td', {}, h('div', { class: 'unit' }, r.unitName), h('div', { class: 'muted' }, r.displayName)),
        h('td', {}, labelText(KIND_LABELS[r.kind])),
        h('td', { 'data-testid': 'candidate-status' }, labelText(STATUS_LABELS[r.status])),
        h('td', { class: 'mono', 'data-testid': 'candidate-distance', title: c.method === 'network' ? '沿胡同步行距离 walking distance along the alleys' : '直线距离×绕行系数 straight line × detour factor' }, formatMetres(c.distanceM), c.method === 'straight' ? ' ≈' : ''),
        h('td', {}, labelText(formatAge(c.positionAgeMs))),
      );
    });
    if (!rows.length) rows.push(h('tr', {}, h('td', { colspan: 6, class: 'muted' }, '暂无在岗处警人员 No responder on duty')));
    this.#list.replaceChildren(...rows);
    this.#assign.disabled = this.#selected.size === 0;

    const mine = [...this.#dispatches.values()].filter((d) => d.callId === callId);
    const escalated = mine.filter((d) => d.escalatedAt !== null && d.status === 'assigned');
    this.#alert.hidden = escalated.length === 0;
    setText(this.#alert, escalated.length ? `⚠ ${escalated.map((d) => d.responder.unitName).join('、')} 未接单，请改派 · not accepted: pick another unit` : '');
    this.#jobs.replaceChildren(
      ...mine.map((d) => {
        const stamps: [string, number | null][] = [['派', d.dispatchedAt], ['接', d.acceptedAt], ['途', d.enRouteAt], ['到', d.onSceneAt], ['完', d.doneAt]];
        const cancel = h('button', { type: 'button', class: 'btn btn-small', hidden: !['assigned', 'accepted', 'en_route', 'on_scene'].includes(d.status) }, bi({ zh: '撤回', en: 'Cancel' }));
        cancel.addEventListener('click', () => void this.#cancel(d.id));
        return h(
          'li',
          { 'data-testid': 'dispatch-job', 'data-status': d.status, 'data-responder': String(d.responder.id) },
          h('strong', {}, d.responder.unitName),
          ' ',
          h('span', { class: `job-status status-${d.status}`, 'data-testid': 'job-status' }, labelText(STATUS_LABELS[d.status])),
          ' ',
          h('span', { class: 'mono muted' }, stamps.filter(([, t]) => t !== null).map(([k, t]) => `${k} ${formatClock(t!)}`).join(' · ')),
          d.note ? h('div', { class: 'muted' }, `备注 Note: ${d.note}`) : null,
          d.refuseReason ? h('div', { class: 'muted' }, `拒绝原因 Reason: ${d.refuseReason}`) : null,
          cancel,
        );
      }),
    );

    const dots: SVGElement[] = [];
    if (this.#terminal) {
      const p = project(this.#terminal.latitude, this.#terminal.longitude);
      dots.push(svg('circle', { cx: p.x, cy: p.y, r: 14, class: 'dispatch-terminal' }));
    }
    for (const r of this.#responders.values()) {
      if (!r.position) continue;
      const p = project(r.position.latitude, r.position.longitude);
      const g = svg('g', { class: `dispatch-responder status-${r.status}`, 'data-testid': 'map-responder', 'data-username': r.username, 'data-lat': r.position.latitude, 'data-lon': r.position.longitude });
      g.append(svg('circle', { cx: p.x, cy: p.y, r: 9 }));
      const t = svg('text', { x: p.x + 12, y: p.y + 4, class: 'dispatch-responder-label' });
      t.textContent = r.unitName;
      g.append(t);
      dots.push(g);
    }
    this.#dots.replaceChildren(...dots);
  }
}
