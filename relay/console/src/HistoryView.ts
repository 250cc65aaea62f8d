import { INCIDENT_TYPE_LABELS, OUTCOMES, OUTCOME_LABELS } from '@helppoint/shared/runtime';
import type { Outcome } from '@helppoint/shared/runtime';
import { END_REASONS } from '@helppoint/shared/runtime';
import { DispositionView } from './DispositionView.ts';
import { bi, h, setText } from './dom.ts';
import { endReasonLabel, formatClock, formatDuration } from './format.ts';
import * as history from './historyApi.ts';
import type { CallDetail, CallEvent, CallSummary } from './historyApi.ts';
import type { EndReason, TerminalView } from './protocolTypes.ts';

const EVENT_LABELS: Record<string, { zh: string; en: string }> = {
  pressed: { zh: '按下求助按钮', en: 'Button pressed' },
  rang: { zh: '指挥台振铃', en: 'Consoles rang' },
  media: { zh: '终端音视频接通', en: 'Terminal media live' },
  answered: { zh: '接听', en: 'Answered' },
  escalated: { zh: '无人接听，已升级', en: 'Escalated (unanswered)' },
  ended: { zh: '通话结束', en: 'Ended' },
  disposition: { zh: '处置记录', en: 'Disposition recorded' },
  snapshot: { zh: '截图', en: 'Snapshot taken' },
  // dispatch (issue 13)
  dispatched: { zh: '派警', en: 'Responder dispatched' },
  dispatch_accepted: { zh: '处警人员接单', en: 'Dispatch accepted' },
  dispatch_en_route: { zh: '处警人员出发', en: 'En route' },
  dispatch_on_scene: { zh: '处警人员到场', en: 'On scene' },
  dispatch_done: { zh: '处警完成', en: 'Done' },
  dispatch_refused: { zh: '处警人员拒绝', en: 'Dispatch refused' },
  dispatch_escalated: { zh: '派单超时未接，需改派', en: 'Dispatch not accepted in time' },
  dispatch_cancelled: { zh: '撤回派单', en: 'Dispatch cancelled' },
};

function day(epochMs: number): string {
  const d = new Date(epochMs);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function eventText(e: CallEvent): string {
  const label = EVENT_LABELS[e.type] ?? { zh: e.type, en: e.type };
  let extra = '';
  if (e.actorName) extra += ` · ${e.actorName}`;
  const detail = (e.detail ?? {}) as { reason?: EndReason; kind?: string; outcome?: Outcome };
  if (e.type === 'ended' && detail.reason) {
    const r = endReasonLabel(detail.reason);
    extra += ` · ${r.zh} ${r.en} (${detail.reason})`;
  }
  if (e.type === 'media' && detail.kind) extra += ` · ${detail.kind}`;
  if (e.type === 'disposition' && detail.outcome) extra += ` · ${OUTCOME_LABELS[detail.outcome]?.zh ?? detail.outcome}`;
  return `${label.zh} ${label.en}${extra}`;
}

/** The call history: search by terminal, day, officer, outcome; open a call for its timeline and evidence. */
export class HistoryView {
  readonly el: HTMLElement;
  readonly #terminal = h('select', { 'data-testid': 'history-terminal' });
  readonly #officer = h('select', { 'data-testid': 'history-officer' });
  readonly #date = h('input', { type: 'date', 'data-testid': 'history-date' });
  readonly #outcome = h('select', { 'data-testid': 'history-outcome' }, h('option', { value: '' }, '全部 All'), ...OUTCOMES.map((o) => h('option', { value: o }, `${OUTCOME_LABELS[o].zh} ${OUTCOME_LABELS[o].en}`)));
  readonly #reason = h('select', { 'data-testid': 'history-reason' }, h('option', { value: '' }, '全部 All'), ...END_REASONS.map((r) => h('option', { value: r }, `${endReasonLabel(r).zh} ${endReasonLabel(r).en}`)));
  readonly #rows = h('tbody', {});
  readonly #status = h('p', { class: 'panel-empty', 'data-testid': 'history-status' });
  readonly #detail = h('div', { class: 'history-detail', 'data-testid': 'history-detail', hidden: true });
  readonly #disposition: DispositionView;
  #selected: string | null = null;
  #terminalKey = '';
  #officersLoaded = false;

  constructor() {
    this.#disposition = new DispositionView({
      onSave: async (callId, d) => {
        await history.saveDisposition(callId, d);
        await this.open(callId);
        await this.search();
      },
      onLater: () => this.#disposition.hide(),
    });
    const form = h(
      'form',
      { class: 'history-filters', 'data-testid': 'history-filters' },
      h('label', {}, bi({ zh: '终端', en: 'Terminal' }), this.#terminal),
      h('label', {}, bi({ zh: '日期', en: 'Date' }), this.#date),
      h('label', {}, bi({ zh: '接听民警', en: 'Officer' }), this.#officer),
      h('label', {}, bi({ zh: '处置结果', en: 'Outcome' }), this.#outcome),
      h('label', {}, bi({ zh: '结束原因', en: 'End reason' }), this.#reason),
      h('button', { type: 'submit', class: 'btn btn-secondary', 'data-testid': 'history-search' }, bi({ zh: '查询', en: 'Search' })),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.search();
    });
    const table = h(
      'table',
      { class: 'history-table', 'data-testid': 'history-table' },
      h('thead', {}, h('tr', {}, ...['时间 Time', '位置 Location', '接听 Officer', '结果 Result', '时长 Length'].map((t) => h('th', {}, t)))),
      this.#rows,
    );
    this.el = h(
      'section',
      { class: 'page page-history', 'data-testid': 'history' },
      form,
      h('div', { class: 'history' }, h('div', { class: 'panel' }, table, this.#status), h('div', { class: 'panel' }, this.#disposition.el, this.#detail)),
    );
  }

  setTerminals(terminals: TerminalView[]): void {
    const key = terminals.map((t) => t.id).join(',');
    if (key === this.#terminalKey) return;
    this.#terminalKey = key;
    const keep = this.#terminal.value;
    this.#terminal.replaceChildren(h('option', { value: '' }, '全部 All'), ...[...terminals].sort((a, b) => (a.id < b.id ? -1 : 1)).map((t) => h('option', { value: t.id }, `${t.id} ${t.name}`)));
    this.#terminal.value = keep;
  }

  async #loadOfficers(): Promise<void> {
    if (this.#officersLoaded) return;
    const cfg = await history.dutyConfig();
    this.#officer.replaceChildren(h('option', { value: '' }, '全部 All'), ...cfg.officers.map((o) => h('option', { value: String(o.id) }, o.displayName)));
    this.#officersLoaded = true;
  }

  /** Called when the page is shown. */
  async show(): Promise<void> {
    try {
      await this.#loadOfficers();
    } catch {
      // the search below reports the problem
    }
    await this.search();
  }

  async search(): Promise<void> {
    const q: history.CallSearch = { limit: 200 };
    if (this.#terminal.value) q.terminalId = this.#terminal.value;
    if (this.#officer.value) q.officerId = Number(this.#officer.value);
    if (this.#outcome.value) q.outcome = this.#outcome.value as Outcome;
    if (this.#reason.value) q.endReason = this.#reason.value as EndReason;
    if (this.#date.value) {
      const from = new Date(`${this.#date.value}T00:00:00`).getTime();
      q.from = from;
      q.to = from + 86_400_000;
    }
    setText(this.#status, '正在查询… Searching…');
    try {
      const calls = await history.searchCalls(q);
      this.#rows.replaceChildren(...calls.map((c) => this.#row(c)));
      setText(this.#status, calls.length ? `${calls.length} 条记录 calls` : '没有符合条件的呼叫 No calls match');
    } catch (error) {
      setText(this.#status, `查询失败 Search failed: ${(error as { code?: string }).code ?? ''} ${error instanceof Error ? error.message : ''}`);
    }
  }

  #row(c: CallSummary): HTMLTableRowElement {
    const result = c.disposition ? `${OUTCOME_LABELS[c.disposition.outcome].zh} ${OUTCOME_LABELS[c.disposition.outcome].en}` : c.endReason ? `${endReasonLabel(c.endReason).zh} ${endReasonLabel(c.endReason).en}` : '进行中 Open';
    const length = c.answeredAt && c.endedAt ? formatDuration(c.endedAt - c.answeredAt) : '—';
    const tr = h(
      'tr',
      { 'data-testid': 'history-row', 'data-call-id': c.id, 'aria-selected': c.id === this.#selected ? 'true' : 'false' },
      h('td', { class: 'mono' }, `${day(c.createdAt)} ${formatClock(c.createdAt)}`),
      h('td', {}, h('span', { class: 'mono' }, c.terminalId), ' ', c.terminalName, c.kind === 'tamper' ? ' · 防拆 Tamper' : ''),
      h('td', {}, c.officer?.displayName ?? '—'),
      h('td', { 'data-testid': 'history-result' }, result, c.escalatedAt ? ' · 已升级 Escalated' : ''),
      h('td', { class: 'mono' }, length),
    );
    tr.addEventListener('click', () => void this.open(c.id));
    return tr;
  }

  async open(callId: string): Promise<void> {
    this.#selected = callId;
    for (const tr of this.#rows.querySelectorAll('tr')) tr.setAttribute('aria-selected', tr.dataset['callId'] === callId ? 'true' : 'false');
    let d: CallDetail;
    try {
      d = await history.callDetail(callId);
    } catch (error) {
      this.#detail.replaceChildren(h('p', { class: 'form-error' }, `${(error as { code?: string }).code ?? ''} ${error instanceof Error ? error.message : ''}`));
      this.#detail.hidden = false;
      return;
    }
    this.#renderDetail(d);
  }

  #renderDetail(d: CallDetail): void {
    const s = d.summary;
    const disp = d.disposition;
    const edit = h('button', { type: 'button', class: 'btn btn-secondary', 'data-testid': 'history-edit-disposition' }, bi({ zh: disp ? '修改处置' : '填写处置', en: disp ? 'Edit disposition' : 'Record disposition' }));
    edit.addEventListener('click', () => this.#disposition.show(s.id, `${s.terminalId} ${s.terminalName}`, disp));
    const evidence = h('div', { class: 'evidence' });
    for (const m of d.media) {
      if (!m.url) {
        evidence.append(h('p', { class: 'panel-empty' }, `${m.kind === 'recording' ? '录像 Recording' : '截图 Snapshot'}: 已按保存期限删除 removed by retention`));
      } else if (m.kind === 'snapshot') {
        evidence.append(h('img', { src: m.url, alt: `截图 Snapshot ${formatClock(m.createdAt)}`, 'data-testid': 'history-snapshot' }));
      } else {
        const label = m.prePress ? '按键前录像 Before the press' : m.mime.startsWith('audio') ? '民警声音 Officer audio' : '终端音视频 Terminal audio + video';
        const part = m.segment ? ` · 第${m.segment}段 part ${m.segment} · ${formatClock(m.createdAt)}` : '';
        evidence.append(h('div', {}, h('div', { class: 'panel-empty', 'data-testid': 'history-recording-label' }, `录音录像 Recording · ${label}${part}${m.finishedAt ? '' : ' · 录制中 recording…'}`)));
        evidence.append(m.mime.startsWith('audio') ? h('audio', { src: m.url, controls: true, preload: 'metadata', 'data-testid': 'history-recording' }) : h('video', { src: m.url, controls: true, preload: 'metadata', 'data-testid': 'history-recording' }));
      }
    }
    this.#detail.replaceChildren(
      h('h3', {}, h('span', { class: 'mono' }, s.terminalId), ' ', s.terminalName),
      h('p', { class: 'panel-empty' }, s.terminalNameEn),
      h('ol', { class: 'timeline', 'data-testid': 'history-timeline' }, ...d.events.map((e) => h('li', { 'data-type': e.type }, h('span', { class: 'mono' }, formatClock(e.at)), eventText(e)))),
      disp
        ? h(
            'p',
            { 'data-testid': 'history-disposition' },
            `${INCIDENT_TYPE_LABELS[disp.incidentType].zh} ${INCIDENT_TYPE_LABELS[disp.incidentType].en} · ${OUTCOME_LABELS[disp.outcome].zh} ${OUTCOME_LABELS[disp.outcome].en} · ${disp.dispatched ? '已派警 dispatched' : '未派警 not dispatched'}${disp.notes ? ` · ${disp.notes}` : ''}`,
          )
        : h('p', { class: 'panel-empty' }, '尚无处置记录 No disposition yet'),
      edit,
      evidence,
    );
    this.#detail.hidden = false;
  }
}
