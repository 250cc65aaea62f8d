import type { FleetEntry, FleetHistoryResponse, FleetResponse, TerminalView } from '@helppoint/shared/types';
import { updateLabel } from './updates/updateLabel.ts';
import { h, setAttr, setText } from './dom.ts';
import { formatClock, type Bilingual } from './format.ts';
import { lineChart } from './fleetChart.ts';
import { ago, alertFor, fleetRows, problems, type FleetFilter, type FleetRow, type FleetSort } from './fleetModel.ts';
import type { TerminalStatusEvent } from './protocolTypes.ts';

const PROBLEM_LABELS: Record<string, Bilingual> = {
  tamper: { zh: '机箱被打开', en: 'Enclosure open' },
  offline: { zh: '离线', en: 'Offline' },
  selftest: { zh: '自检失败', en: 'Self-test failed' },
  hot: { zh: '温度过高', en: 'Too hot' },
  signal: { zh: '信号弱', en: 'Weak signal' },
};

const CHECK_LABELS: Record<string, string> = {
  'speaker-mic': '扬声器/麦克风 Speaker/mic',
  camera: '摄像头 Camera',
  led: '指示灯 LED',
  button: '按钮 Button',
  relay: '服务器 Relay',
  modem: '4G LTE',
};

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(path, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  if (!res.ok) throw Object.assign(new Error(`HTTP ${res.status}`), { code: res.status === 401 ? 'unauthenticated' : 'internal' });
  return (await res.json()) as T;
}

const fmt = (v: number | null | undefined, unit: string, digits = 0) => (v === null || v === undefined ? '—' : `${v.toFixed(digits)} ${unit}`);

/**
 * The fleet page (终端状态): every terminal's health at a glance, made for a
 * phone (one column, large touch targets), and a page per terminal with
 * history charts. A page of the console: ConsoleApp feeds it the socket's
 * events; `#/fleet` and `#/fleet/<id>` are its addresses.
 */
/** Event-driven redraws are gathered for this long. */
const RENDER_EVERY_MS = 250;
/** Cards drawn at once; 10,000 cards made every redraw take seconds. */
const MAX_CARDS = 300;

export class FleetPage {
  readonly el: HTMLElement;
  #terminals: TerminalView[] = [];
  #entries: Record<string, FleetEntry> = {};
  #sort: FleetSort = 'status';
  #filter: FleetFilter = 'all';
  #query = '';
  #loaded = false;
  #renderedAt = 0;
  #renderTimer: ReturnType<typeof setTimeout> | null = null;
  /** Position of each terminal in #terminals, so an event updates one in place. */
  #index = new Map<string, number>();
  #audio: AudioContext | null = null;
  readonly #list = h('ul', { class: 'fleet-list', 'data-testid': 'fleet-list' });
  readonly #summary = h('div', { class: 'fleet-summary', 'data-testid': 'fleet-summary' });
  readonly #alert = h('div', { class: 'fleet-alert', role: 'alert', 'data-testid': 'fleet-alert', hidden: true });
  readonly #listPage: HTMLElement;
  readonly #detailPage = h('section', { class: 'fleet-detail', 'data-testid': 'fleet-detail', hidden: true });
  readonly #onError: (error: unknown) => void;

  readonly #watch: (on: boolean) => void;

  constructor(opts: { onError: (error: unknown) => void; watch: (on: boolean) => void }) {
    this.#onError = opts.onError;
    this.#watch = opts.watch;
    const search = h('input', { type: 'search', class: 'fleet-search', placeholder: '搜索编号/地点 Search ID or place', 'data-testid': 'fleet-search' });
    search.addEventListener('input', () => {
      this.#query = search.value;
      this.#render();
    });
    const filter = h(
      'select',
      { class: 'fleet-select', 'data-testid': 'fleet-filter', 'aria-label': '筛选 Filter' },
      h('option', { value: 'all' }, '全部 All'),
      h('option', { value: 'offline' }, '离线 Offline'),
      h('option', { value: 'problems' }, '有问题 Problems'),
    );
    filter.addEventListener('change', () => {
      this.#filter = filter.value as FleetFilter;
      this.#render();
    });
    const sort = h(
      'select',
      { class: 'fleet-select', 'data-testid': 'fleet-sort', 'aria-label': '排序 Sort' },
      h('option', { value: 'status' }, '状态 Status'),
      h('option', { value: 'id' }, '编号 ID'),
      h('option', { value: 'temp' }, '温度 Temperature'),
      h('option', { value: 'signal' }, '信号 Signal'),
      h('option', { value: 'heartbeat' }, '心跳 Heartbeat'),
    );
    sort.addEventListener('change', () => {
      this.#sort = sort.value as FleetSort;
      this.#render();
    });
    this.#listPage = h('section', { class: 'fleet-main' }, this.#summary, h('div', { class: 'fleet-controls' }, search, filter, sort), this.#list);
    this.el = h('div', { class: 'page fleet-page' }, this.#alert, this.#listPage, this.#detailPage);
    // Audio may only start after a gesture: any tap on the page arms the alert sound.
    document.addEventListener('pointerdown', () => this.#unlockAudio(), { capture: true });
    this.#alert.addEventListener('click', () => (this.#alert.hidden = true));
  }

  /** Opened from the navigation or a #/fleet address: the list, or one terminal's page. */
  show(): void {
    if (!this.#loaded) void this.reload();
    this.#route();
  }

  /** (Re)connected: what changed while the socket was down comes from the relay again. */
  onHello(): void {
    if (this.#loaded) void this.reload();
  }

  /** Signed out: nothing of the last user's view stays. */
  reset(): void {
    this.#loaded = false;
    this.#terminals = [];
    this.#entries = {};
    this.#index.clear();
    this.#alert.hidden = true;
    this.#list.replaceChildren();
  }

  /** Every few seconds: the "heartbeat … ago" readings age. */
  tick(): void {
    if (!this.#loaded || this.el.hidden || Date.now() - this.#renderedAt < 5_000) return;
    this.#render();
  }

  async reload(): Promise<void> {
    this.#loaded = true;
    // From now on (and again after each reconnect) the relay sends this console every terminal's readings.
    this.#watch(true);
    try {
      const data = await getJson<FleetResponse>('/api/fleet');
      this.#terminals = data.terminals;
      this.#index = new Map(data.terminals.map((t, i) => [t.id, i]));
      this.#entries = Object.fromEntries(data.entries.map((e) => [e.terminalId, e]));
    } catch (error) {
      this.#loaded = false;
      this.#onError(error);
    }
    this.#render();
  }

  onEvent(type: string, data: unknown): void {
    if (!this.#loaded) return;
    if (type === 'fleet.updated') {
      const entry = (data as { entry?: FleetEntry } | null)?.entry;
      if (!entry || typeof entry.terminalId !== 'string') return;
      const kind = alertFor(this.#entries[entry.terminalId], entry);
      // In place, and drawn at most a few times a second: a big station sends hundreds of these a second,
      // and copying every terminal and redrawing every card for each one froze the page.
      this.#entries[entry.terminalId] = entry;
      this.#patchTerminal(entry.terminalId, { online: entry.online });
      if (kind) this.#raise(kind, entry.terminalId);
      this.#renderSoon();
    } else if (type === 'terminal.status') {
      const s = data as TerminalStatusEvent | null;
      if (!s) return;
      this.#patchTerminal(s.terminalId, { online: s.online, lastSeenAt: s.lastSeenAt });
      const e = this.#entries[s.terminalId];
      if (e && e.online !== s.online) {
        const next = { ...e, online: s.online };
        const kind = alertFor(e, next);
        this.#entries[s.terminalId] = next;
        if (kind) this.#raise(kind, s.terminalId);
      }
      this.#renderSoon();
    }
  }

  #raise(kind: 'offline' | 'tamper', terminalId: string): void {
    const t = this.#terminals.find((x) => x.id === terminalId);
    const label = kind === 'tamper' ? { zh: '机箱被打开', en: 'enclosure opened' } : { zh: '终端离线', en: 'terminal offline' };
    this.#alert.replaceChildren(
      h('strong', {}, `${label.zh} ${label.en}`),
      ' · ',
      h('span', { class: 'mono' }, terminalId),
      ` ${t?.name ?? ''} · ${formatClock(Date.now())}`,
    );
    setAttr(this.#alert, 'data-kind', kind);
    setAttr(this.#alert, 'data-terminal-id', terminalId);
    this.#alert.hidden = false;
    this.#beep(kind === 'tamper' ? 3 : 1);
  }

  #unlockAudio(): void {
    try {
      this.#audio ??= new AudioContext();
      if (this.#audio.state === 'suspended') void this.#audio.resume();
    } catch {
      /* no audio on this device: the banner still shows */
    }
  }

  #beep(times: number): void {
    const ctx = this.#audio;
    if (!ctx || ctx.state !== 'running') return;
    for (let i = 0; i < times; i++) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = 1046;
      gain.gain.value = 0.2;
      osc.connect(gain).connect(ctx.destination);
      const at = ctx.currentTime + i * 0.35;
      osc.start(at);
      osc.stop(at + 0.2);
    }
  }

  #route(): void {
    const m = /^#\/fleet\/([A-Z0-9][A-Z0-9-]{1,31})$/.exec(location.hash);
    this.#listPage.hidden = Boolean(m);
    this.#detailPage.hidden = !m;
    if (m) void this.#showDetail(m[1]!);
    else this.#render();
  }

  #patchTerminal(id: string, fields: Partial<TerminalView>): void {
    const i = this.#index.get(id);
    if (i !== undefined) this.#terminals[i] = { ...this.#terminals[i]!, ...fields };
  }

  /** Events redraw within RENDER_EVERY_MS, together; what the user does (search, sort) redraws at once. */
  #renderSoon(): void {
    this.#renderTimer ??= setTimeout(() => {
      this.#renderTimer = null;
      this.#render();
    }, RENDER_EVERY_MS);
  }

  #render(): void {
    if (this.#renderTimer) clearTimeout(this.#renderTimer);
    this.#renderTimer = null;
    this.#renderedAt = Date.now();
    const all = fleetRows(this.#terminals, this.#entries, { sort: 'status', filter: 'all', query: '' });
    const online = all.filter((r) => r.entry.online).length;
    const trouble = all.filter((r) => problems(r).length > 0).length;
    setText(this.#summary, `在线 Online ${online}/${all.length} · 需处理 Need attention ${trouble}`);
    const rows = fleetRows(this.#terminals, this.#entries, { sort: this.#sort, filter: this.#filter, query: this.#query });
    const now = Date.now();
    // The first MAX_CARDS only (by the chosen order: trouble first by default); the rest are a search away.
    const shown = rows.slice(0, MAX_CARDS).map((r) => this.#card(r, now));
    if (rows.length > MAX_CARDS) shown.push(h('li', { class: 'fleet-more', 'data-testid': 'fleet-more' }, `还有 ${rows.length - MAX_CARDS} 台终端未显示，请搜索或筛选 · ${rows.length - MAX_CARDS} more terminals not shown: search or filter`));
    this.#list.replaceChildren(...shown);
  }

  #card(r: FleetRow, now: number): HTMLElement {
    const e = r.entry;
    const hl = e.health;
    const p = problems(r);
    const status = p[0] ?? 'ok';
    const beat = e.lastHeartbeatAt === null ? '—' : `${ago(now - e.lastHeartbeatAt)} 前 ago`;
    const test = e.lastSelfTest ? (e.lastSelfTest.passed ? '✔ 自检通过 Self-test OK' : '✘ 自检失败 Self-test FAILED') : '自检: 无 No self-test';
    const link = h(
      'a',
      { class: 'fleet-card', href: `#/fleet/${r.terminal.id}` },
      h(
        'div',
        { class: 'fleet-card-head' },
        h('span', { class: 'status-dot', 'aria-hidden': 'true' }),
        h('span', { class: 'term-id mono' }, r.terminal.id),
        h('span', { class: 'fleet-card-name' }, r.terminal.name),
      ),
      h(
        'div',
        { class: 'fleet-badges' },
        ...(p.length ? p : ['ok']).map((k) => h('span', { class: `fleet-badge fleet-badge-${k}` }, PROBLEM_LABELS[k] ? `${PROBLEM_LABELS[k].zh} ${PROBLEM_LABELS[k].en}` : '正常 OK')),
      ),
      h(
        'dl',
        { class: 'fleet-readings' },
        h('dt', {}, '心跳 Beat'),
        h('dd', { 'data-testid': 'fleet-beat' }, beat),
        h('dt', {}, '温度 Temp'),
        h('dd', {}, fmt(hl?.cpuTempC, '°C', 1)),
        h('dt', {}, '信号 Signal'),
        h('dd', {}, hl?.lte ? (hl.lte.present ? fmt(hl.lte.rssiDbm, 'dBm') : '无模块 No modem') : '—'),
        h('dt', {}, '时延 RTT'),
        h('dd', {}, fmt(hl?.rttMs, 'ms')),
        h('dt', {}, '运行 Up'),
        h('dd', {}, hl ? ago(hl.uptimeS * 1000) : '—'),
        h('dt', {}, '版本 Ver'),
        h('dd', { class: 'mono' }, hl?.version ?? '—'),
        ...updateReading(hl?.update),
      ),
      h('div', { class: `fleet-test ${e.lastSelfTest && !e.lastSelfTest.passed ? 'fleet-test-fail' : ''}` }, test),
    );
    return h('li', { 'data-testid': 'fleet-row', 'data-terminal-id': r.terminal.id, 'data-online': String(e.online), 'data-status': status }, link);
  }

  async #showDetail(id: string): Promise<void> {
    const back = h('a', { href: '#/fleet', class: 'btn btn-ghost btn-small', 'data-testid': 'fleet-back' }, '← 全部终端 All terminals');
    this.#detailPage.replaceChildren(back, h('p', {}, '加载中 Loading…'));
    let data: FleetHistoryResponse;
    try {
      data = await getJson(`/api/fleet/${id}/history?hours=24`);
    } catch (error) {
      this.#detailPage.replaceChildren(back, h('p', { class: 'login-error' }, `无法加载 Cannot load: ${error instanceof Error ? error.message : String(error)}`));
      return;
    }
    const { terminal: t, entry: e, points } = data;
    const hl = e.health;
    const lines = e.lastSelfTest?.lines ?? [];
    this.#detailPage.replaceChildren(
      back,
      h('h2', { class: 'fleet-detail-title' }, h('span', { class: 'mono' }, t.id), ` ${t.name}`),
      h('p', { class: 'fleet-detail-addr' }, t.address, h('br'), t.nameEn),
      h(
        'dl',
        { class: 'fleet-readings fleet-readings-wide' },
        h('dt', {}, '状态 Status'),
        h('dd', { 'data-testid': 'fleet-detail-status' }, e.online ? '在线 Online' : '离线 Offline'),
        h('dt', {}, '机箱 Door'),
        h('dd', {}, e.alarm?.active ? `打开 OPEN since ${formatClock(e.alarm.raisedAt)}` : '关闭 Closed'),
        h('dt', {}, '负载 Load'),
        h('dd', {}, fmt(hl?.load1, '', 2)),
        h('dt', {}, '内存 Memory'),
        h('dd', {}, hl?.memFreeMb != null ? `${hl.memFreeMb}/${hl.memTotalMb} MB` : '—'),
        h('dt', {}, '磁盘 Disk free'),
        h('dd', {}, fmt(hl?.diskFreeMb, 'MB')),
        h('dt', {}, '运营商 Operator'),
        h('dd', {}, hl?.lte ? `${hl.lte.operator ?? '—'} (${hl.lte.registration})` : '—'),
        h('dt', {}, '时钟偏差 Clock'),
        h('dd', {}, fmt(hl?.clockOffsetMs, 'ms')),
        h('dt', {}, '按钮 Button OK'),
        h('dd', {}, hl?.buttonOkAgoS != null ? `${ago(hl.buttonOkAgoS * 1000)} 前 ago` : '—'),
      ),
      h('h3', {}, '温度 Temperature (°C)'),
      lineChart(points, (p) => p.cpuTempC, { unit: '°C', color: '#f5b638', testid: 'chart-temp' }),
      h('h3', {}, '信号 Signal (dBm)'),
      lineChart(points, (p) => p.rssiDbm, { unit: 'dBm', color: '#4c9be8', testid: 'chart-signal' }),
      h('h3', {}, '时延 Round trip (ms)'),
      lineChart(points, (p) => p.rttMs, { unit: 'ms', color: '#2fbf71', testid: 'chart-rtt' }),
      h('h3', {}, e.lastSelfTest ? `自检 Self-test ${new Date(e.lastSelfTest.finishedAt).toLocaleString('zh-CN')} (${e.lastSelfTest.trigger})` : '自检 Self-test: 无 none yet'),
      h(
        'ul',
        { class: 'fleet-test-lines', 'data-testid': 'fleet-test-lines' },
        ...lines.map((l) => h('li', { 'data-status': l.status }, h('strong', {}, `${l.status.toUpperCase()} `), `${CHECK_LABELS[l.check] ?? l.check}: ${l.detail}`)),
      ),
    );
  }
}

/** The last update's state under the version (issue 10): a rollback shows with its reason as the tooltip. */
function updateReading(u: Parameters<typeof updateLabel>[0]): HTMLElement[] {
  const l = updateLabel(u);
  if (!l) return [];
  return [h('dt', {}, '更新 Update'), h('dd', { 'data-testid': 'fleet-update', class: l.bad ? 'fleet-test-fail' : '', title: l.title }, l.text)];
}
