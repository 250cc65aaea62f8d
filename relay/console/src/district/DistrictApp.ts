import type { DistrictCallView, DistrictMediaResponse, DistrictMediaTicket, DistrictPush, DistrictTerminalView } from '@helppoint/shared/types';
import { call as api, errorOf, login } from '../api.ts';
import { h, setText } from '../dom.ts';
import { Ringer } from '../Ringer.ts';
import { DistrictCallMedia } from './DistrictCallMedia.ts';
import { applyPush, callKey, emptyModel, mapBox, ringingCalls, stationCounts, terminalList, type DistrictModel } from './districtModel.ts';

const STATUS_LABEL: Record<DistrictTerminalView['status'], { zh: string; en: string }> = {
  online: { zh: '在线', en: 'online' },
  offline: { zh: '离线', en: 'offline' },
  ringing: { zh: '呼叫中', en: 'ringing' },
  in_call: { zh: '通话中', en: 'in call' },
};
const bi = (zh: string, en: string) => `${zh} · ${en}`;

/**
 * The district command centre's console (分局指挥中心): every station's
 * terminals on one map and list, every ringing call with its station (the
 * ones unanswered past the district timeout ring here too), a fleet table
 * across stations, and answering: the owning station decides the race, then
 * this page takes the media straight from that station's relay.
 */
export class DistrictApp {
  readonly #root: HTMLElement;
  #model: DistrictModel = emptyModel();
  #retry = 0;
  readonly #ringer = new Ringer();
  #active: { key: string; call: DistrictCallView; media: DistrictCallMedia } | null = null;
  #renderQueued = false;
  readonly #els = {
    status: h('span', { class: 'd-status' }, bi('连接中', 'connecting')),
    ringing: h('section', { class: 'd-ringing', 'aria-label': 'ringing calls' }),
    active: h('section', { class: 'd-active' }),
    map: h('div', { class: 'd-map' }),
    fleet: h('table', { class: 'd-fleet' }),
    list: h('table', { class: 'd-list' }),
    toast: h('div', { class: 'd-toast', role: 'alert' }),
  };

  constructor(root: HTMLElement) {
    this.#root = root;
  }

  async start(): Promise<void> {
    const probe = await api('GET', '/api/district/state');
    if (probe.status === 401) return this.#showLogin();
    if (probe.status !== 200) return this.#toast(errorOf(probe.status, probe.json).message);
    this.#showDesk();
  }

  #showLogin(): void {
    const user = h('input', { name: 'username', autocomplete: 'username', required: true });
    const pass = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
    const err = h('p', { class: 'd-error', role: 'alert' });
    const form = h(
      'form',
      { class: 'd-login' },
      h('h1', {}, bi('分局指挥中心', 'District command centre')),
      h('label', {}, bi('用户名', 'Username'), user),
      h('label', {}, bi('密码', 'Password'), pass),
      h('button', { type: 'submit' }, bi('登录', 'Sign in')),
      err,
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.#ringer.unlock();
      login(user.value, pass.value)
        .then(() => this.#showDesk())
        .catch((error: unknown) => setText(err, error instanceof Error ? error.message : String(error)));
    });
    this.#root.replaceChildren(form);
    this.#root.dataset['view'] = 'login';
  }

  #showDesk(): void {
    this.#root.dataset['view'] = 'district';
    this.#root.replaceChildren(
      h('header', { class: 'd-header' }, h('h1', {}, bi('分局指挥中心', 'District command centre')), this.#els.status),
      this.#els.toast,
      h('main', { class: 'd-main' }, h('div', { class: 'd-left' }, this.#els.ringing, this.#els.active, this.#els.map), h('div', { class: 'd-right' }, h('h2', {}, bi('各所设备', 'Fleet by station')), this.#els.fleet, h('h2', {}, bi('全部终端', 'All terminals')), this.#els.list)),
    );
    document.addEventListener('click', () => this.#ringer.unlock());
    this.#connect();
  }

  #connect(): void {
    const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws/district`;
    const ws = new WebSocket(url);

    ws.onopen = () => {
      this.#retry = 0;
      this.#root.dataset['connected'] = 'true';
      setText(this.#els.status, bi('已连接', 'connected'));
    };
    ws.onmessage = (e) => {
      this.#model = applyPush(this.#model, JSON.parse(String(e.data)) as DistrictPush);
      this.#queueRender();
    };
    ws.onclose = (e) => {
      this.#root.dataset['connected'] = 'false';
      if (e.code === 4401) return this.#showLogin();
      setText(this.#els.status, bi('重新连接中', 'reconnecting'));
      const delay = Math.min(15_000, 500 * 2 ** this.#retry++) * (0.5 + Math.random() / 2);
      setTimeout(() => this.#connect(), delay);
    };
  }

  /** Pushes come in bursts (a station refreshing hundreds of entries): one render per frame. */
  #queueRender(): void {
    if (this.#renderQueued) return;
    this.#renderQueued = true;
    requestAnimationFrame(() => {
      this.#renderQueued = false;
      this.#render();
    });
  }

  #render(): void {
    const m = this.#model;
    const ringing = ringingCalls(m);
    this.#ringer.setMode(ringing.some((c) => c.districtRinging) ? 'urgent' : 'off');
    this.#els.ringing.replaceChildren(
      h('h2', {}, bi(`呼叫 ${ringing.length}`, `Ringing ${ringing.length}`)),
      ...ringing.map((c) => this.#callCard(c)),
    );
    this.#renderActive();
    this.#renderMap(m);
    const counts = stationCounts(m);
    this.#els.fleet.replaceChildren(
      h('tr', {}, ...['派出所 Station', '在线 Online', '离线 Offline', '呼叫 Ringing', '通话 In call'].map((t) => h('th', {}, t))),
      ...counts.map((s) =>
        h('tr', { 'data-station': s.station, class: s.silent ? 'd-silent' : '' }, h('td', {}, s.silent ? `${s.name} (${bi('未上报', 'not reporting')})` : s.name), h('td', {}, String(s.online)), h('td', {}, String(s.offline)), h('td', {}, String(s.ringing)), h('td', {}, String(s.inCall))),
      ),
    );
    const list = terminalList(m).slice(0, 500);
    this.#els.list.replaceChildren(
      h('tr', {}, ...['派出所 Station', '编号 ID', '位置 Place', '状态 Status', '摄像头 Camera', ''].map((t) => h('th', {}, t))),
      ...list.map((t) =>
        h(
          'tr',
          { 'data-terminal': t.key, 'data-status': t.status, class: t.stale ? 'd-stale' : '' },
          h('td', {}, t.station),
          h('td', {}, t.terminal.id),
          h('td', {}, `${t.terminal.name} · ${t.terminal.nameEn}`),
          h('td', { class: `d-st-${t.status}` }, t.stale ? bi('未知', 'unknown') : bi(STATUS_LABEL[t.status].zh, STATUS_LABEL[t.status].en)),
          h('td', {}, t.health?.cameraOk === false ? bi('故障', 'fault') : t.health?.cameraOk ? bi('正常', 'ok') : '—'),
          h('td', {}, t.status === 'online' && !t.stale ? this.#lookinButton(t) : ''),
        ),
      ),
    );
  }

  #callCard(c: DistrictCallView): HTMLElement {
    const answer = h('button', { class: 'd-answer', type: 'button' }, bi('接听', 'Answer'));
    answer.addEventListener('click', () => void this.#answer(c));
    const waited = Math.round((Date.now() - c.createdAt) / 1000);
    return h(
      'article',
      { class: `d-call${c.districtRinging ? ' d-call-district' : ''}`, 'data-district-call': callKey(c), 'data-district-ringing': String(c.districtRinging) },
      h('strong', {}, `${c.terminal.name} · ${c.terminal.nameEn}`),
      h('span', {}, `${c.terminal.id} · ${c.terminal.address}`),
      h('span', {}, `${bi('派出所', 'Station')}: ${this.#model.stations.get(c.station)?.name ?? c.station} · ${bi('已等待', 'waiting')} ${waited}s`),
      c.districtRinging ? h('em', {}, bi('本所未接听，转分局', 'Unanswered at the station: district desk')) : '',
      answer,
    );
  }

  #lookinButton(t: DistrictTerminalView): HTMLButtonElement {
    const b = h('button', { type: 'button', class: 'd-lookin' }, bi('查看', 'Look in'));
    b.addEventListener('click', () => void this.#lookin(t));
    return b;
  }

  /** Opens an idle terminal's camera at its station (audited there as district.lookin). */
  async #lookin(t: DistrictTerminalView): Promise<void> {
    const res = await api('POST', `/api/district/terminals/${encodeURIComponent(t.station)}/${encodeURIComponent(t.terminal.id)}/lookin`, {});
    if (res.status !== 200) return this.#toast(errorOf(res.status, res.json).message);
    const ticket = (res.json as DistrictMediaResponse).media;
    const call: DistrictCallView = { station: t.station, callId: ticket.callId, terminal: t.terminal, state: 'answered', kind: 'lookin', createdAt: Date.now(), answeredBy: null, endReason: null, escalatedAt: null, districtRinging: false, dispatched: false };
    this.#openMedia(call, ticket);
  }

  async #answer(c: DistrictCallView): Promise<void> {
    this.#ringer.unlock();
    const res = await api('POST', `/api/district/calls/${encodeURIComponent(c.station)}/${encodeURIComponent(c.callId)}/answer`, {});
    if (res.status !== 200) return this.#toast(errorOf(res.status, res.json).message);
    this.#openMedia(c, (res.json as DistrictMediaResponse).media);
  }

  #openMedia(c: DistrictCallView, ticket: DistrictMediaTicket): void {
    this.#active?.media.close();
    const key = callKey(c);
    const media = new DistrictCallMedia({
      consoleUrl: ticket.consoleUrl,
      callId: c.callId,
      onChange: () => this.#renderActive(),
      onError: (_code, message) => this.#toast(message),
      onEnded: () => {
        if (this.#active?.key === key) this.#active = null;
        this.#renderActive();
      },
    });
    this.#active = { key, call: c, media };
    this.#renderActive();
  }

  #renderActive(): void {
    const a = this.#active;
    if (!a) {
      this.#els.active.replaceChildren();
      return;
    }
    let video = this.#els.active.querySelector('video');
    let audio = this.#els.active.querySelector('audio');
    if (!video || !audio || this.#els.active.dataset['call'] !== a.key) {
      video = h('video', { class: 'd-video', autoplay: true, playsinline: true, muted: true });
      audio = h('audio', { autoplay: true });
      const hangup = h('button', { type: 'button', class: 'd-hangup' }, bi('挂断', 'Hang up'));
      hangup.addEventListener('click', () => {
        void api('POST', `/api/district/calls/${encodeURIComponent(a.call.station)}/${encodeURIComponent(a.call.callId)}/hangup`, {});
      });
      video.addEventListener('loadeddata', () => {
        a.media.firstFrameMs ??= Math.round(performance.now() - a.media.startedAt);
        this.#els.active.dataset['firstFrameMs'] = String(a.media.firstFrameMs);
      });
      this.#els.active.dataset['call'] = a.key;
      this.#els.active.replaceChildren(h('h2', {}, `${bi('通话中', 'In call')}: ${a.call.terminal.name} (${a.call.station})`), video, audio, hangup);
    }
    const v = a.media.tracks('video');
    const s = a.media.tracks('audio');
    const want = [...v, ...s].map((t) => t.id).join(',');
    if (video.dataset['tracks'] !== want) {
      video.dataset['tracks'] = want;
      video.srcObject = v.length ? new MediaStream(v) : null;
      audio.srcObject = s.length ? new MediaStream(s) : null;
    }
    this.#els.active.dataset['mic'] = a.media.micState;
  }

  #renderMap(m: DistrictModel): void {
    const box = mapBox(m);
    const W = 1000;
    const H = Math.round((W * (box.latMax - box.latMin)) / ((box.lonMax - box.lonMin) * Math.cos((((box.latMin + box.latMax) / 2) * Math.PI) / 180)));
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', `0 0 ${W} ${Math.max(200, H)}`);
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', bi('分局地图', 'District map'));
    for (const t of m.terminals.values()) {
      const x = ((t.terminal.longitude - box.lonMin) / (box.lonMax - box.lonMin)) * W;
      const y = ((box.latMax - t.terminal.latitude) / (box.latMax - box.latMin)) * Math.max(200, H);
      const dot = document.createElementNS(ns, 'circle');
      dot.setAttribute('cx', x.toFixed(1));
      dot.setAttribute('cy', y.toFixed(1));
      dot.setAttribute('r', t.status === 'ringing' ? '12' : '7');
      dot.setAttribute('class', `d-dot d-st-${t.stale ? 'stale' : t.status}`);
      dot.setAttribute('data-terminal', t.key);
      const title = document.createElementNS(ns, 'title');
      title.textContent = `${t.station} ${t.terminal.id} ${t.terminal.name}: ${STATUS_LABEL[t.status].zh} ${STATUS_LABEL[t.status].en}`;
      dot.append(title);
      svg.append(dot);
    }
    this.#els.map.replaceChildren(svg);
  }

  #toast(message: string): void {
    setText(this.#els.toast, message);
    setTimeout(() => setText(this.#els.toast, ''), 6000);
  }
}
