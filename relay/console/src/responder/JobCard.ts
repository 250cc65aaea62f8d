import type { Device } from 'mediasoup-client';
import type { JobView } from '@helppoint/shared/types';
import { CallMedia, type RequestFn } from '../CallMedia.ts';
import { bi, h, setText } from '../dom.ts';
import { MAP_WIDTH, mapHeight, project } from '../mapProjection.ts';
import { STATUS_LABELS, formatMetres } from '../dispatch/dispatchLabels.ts';
import { straightLine } from './geo.ts';

const SVG_NS = 'http://www.w3.org/2000/svg';
function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

export interface JobActions {
  status: (dispatchId: number, status: 'accepted' | 'en_route' | 'on_scene' | 'done' | 'refused', extra?: { note?: string; reason?: string }) => Promise<void>;
  talk: (dispatchId: number, on: boolean) => Promise<void>;
  onError: (code: string, message: string) => void;
}

const REFUSE_REASONS = ['正在处理其他警情 On another incident', '距离太远 Too far away', '身体/装备原因 Unfit or no equipment', '其他 Other'];

/**
 * One job on the responder's phone, big enough for a thumb in the street:
 * where (location ID, address, landmark), the snapshot and live video of the
 * caller, a map with both positions, push-to-talk to the terminal's speaker,
 * and the one next step as the biggest button.
 */
export class JobCard {
  readonly el: HTMLElement;
  readonly dispatchId: number;
  #job: JobView;
  readonly #actions: JobActions;
  readonly #status = h('div', { class: 'job-status-line', 'data-testid': 'job-status' });
  readonly #locId = h('div', { class: 'job-loc-id mono', 'data-testid': 'job-location-id' });
  readonly #name = h('div', { class: 'job-name', 'data-testid': 'job-name' });
  readonly #address = h('div', { class: 'job-address', 'data-testid': 'job-address' });
  readonly #notes = h('div', { class: 'job-notes', 'data-testid': 'job-notes' });
  readonly #distance = h('div', { class: 'job-distance mono', 'data-testid': 'job-distance' });
  readonly #snapshot = h('img', { class: 'job-snapshot', 'data-testid': 'job-snapshot', alt: '现场截图 snapshot', hidden: true });
  readonly #video: HTMLVideoElement;
  readonly #audio: HTMLAudioElement;
  readonly #next = h('button', { type: 'button', class: 'btn btn-answer btn-huge', 'data-testid': 'job-next' });
  readonly #refuse = h('button', { type: 'button', class: 'btn btn-hangup', 'data-testid': 'job-refuse' }, bi({ zh: '拒绝', en: 'Refuse' }));
  readonly #talk = h('button', { type: 'button', class: 'btn btn-secondary btn-talk', 'data-testid': 'job-talk', 'aria-pressed': 'false' }, bi({ zh: '按住讲话', en: 'Hold to talk' }));
  readonly #refuseBox = h('div', { class: 'job-refuse-box', hidden: true });
  readonly #doneBox = h('div', { class: 'job-done-box', hidden: true });
  readonly #note = h('textarea', { 'data-testid': 'job-note', maxlength: 500, rows: 2, placeholder: '处置情况（简短）What happened (short)' });
  readonly #dots = svg('g', {});
  #media: CallMedia | null = null;
  #me: { latitude: number; longitude: number } | null = null;
  #talking = false;

  constructor(job: JobView, actions: JobActions) {
    this.#job = job;
    this.dispatchId = job.dispatch.id;
    this.#actions = actions;
    this.#video = h('video', { class: 'job-video', 'data-testid': 'job-video', autoplay: true, playsinline: true, muted: true });
    this.#video.muted = true;
    this.#audio = h('audio', { 'data-testid': 'job-audio', autoplay: true });
    this.#next.addEventListener('click', () => this.#advance());
    this.#refuse.addEventListener('click', () => {
      this.#refuseBox.hidden = !this.#refuseBox.hidden;
    });
    for (const reason of REFUSE_REASONS) {
      const b = h('button', { type: 'button', class: 'btn btn-secondary btn-block', 'data-testid': 'refuse-reason' }, reason);
      b.addEventListener('click', () => void this.#actions.status(this.dispatchId, 'refused', { reason }));
      this.#refuseBox.append(b);
    }
    const doneBtn = h('button', { type: 'button', class: 'btn btn-answer btn-block', 'data-testid': 'job-done-confirm' }, bi({ zh: '确认完成', en: 'Confirm done' }));
    doneBtn.addEventListener('click', () => void this.#actions.status(this.dispatchId, 'done', { note: this.#note.value.trim() }));
    this.#doneBox.append(this.#note, doneBtn);
    // Push to talk: pressed = the terminal's speaker plays this phone's microphone.
    const talkOn = (ev: Event): void => {
      ev.preventDefault();
      if (this.#talking) return;
      this.#talking = true;
      this.#talk.setAttribute('aria-pressed', 'true');
      this.#media?.setMuted(false);
      void this.#actions.talk(this.dispatchId, true);
    };
    const talkOff = (): void => {
      if (!this.#talking) return;
      this.#talking = false;
      this.#talk.setAttribute('aria-pressed', 'false');
      this.#media?.setMuted(true);
      void this.#actions.talk(this.dispatchId, false);
    };
    this.#talk.addEventListener('pointerdown', talkOn);
    this.#talk.addEventListener('pointerup', talkOff);
    this.#talk.addEventListener('pointercancel', talkOff);
    this.#talk.addEventListener('pointerleave', talkOff);
    const height = mapHeight();
    const map = svg('svg', { viewBox: `0 0 ${MAP_WIDTH} ${height}`, class: 'job-map', 'data-testid': 'job-map' });
    map.append(svg('rect', { x: 0, y: 0, width: MAP_WIDTH, height, class: 'map-land' }), this.#dots);
    this.el = h(
      'article',
      { class: 'job-card', 'data-testid': 'job-card', 'data-dispatch-id': String(job.dispatch.id) },
      this.#status,
      this.#locId,
      this.#name,
      this.#address,
      this.#notes,
      this.#distance,
      h('div', { class: 'job-media' }, this.#video, this.#snapshot, this.#audio),
      map,
      h('div', { class: 'job-buttons' }, this.#next, this.#talk, this.#refuse),
      this.#refuseBox,
      this.#doneBox,
    );
    this.update(job);
  }

  get job(): JobView {
    return this.#job;
  }

  setPosition(me: { latitude: number; longitude: number } | null): void {
    this.#me = me;
    this.#drawMap();
  }

  /** The relay router's capabilities arrived (or again after a reconnect). */
  attach(device: Device, request: RequestFn): void {
    this.#media?.close();
    this.#media = new CallMedia({
      callId: this.#job.call.id,
      device,
      request,
      onError: (code, message) => this.#actions.onError(code, message),
      onChange: () => this.#syncTracks(),
    });
    this.#syncMedia();
  }

  update(job: JobView): void {
    this.#job = job;
    const d = job.dispatch;
    const t = job.terminal;
    this.el.dataset['status'] = d.status;
    setText(this.#status, `${STATUS_LABELS[d.status].zh} ${STATUS_LABELS[d.status].en}${job.call.state === 'ended' ? ' · 通话已结束 call ended' : ''}`);
    setText(this.#locId, t.id);
    setText(this.#name, `${t.name} · ${t.nameEn}`);
    setText(this.#address, t.address);
    setText(this.#notes, t.notes ? `地标 Landmark: ${t.notes}` : '');
    if (job.snapshotUrl) {
      this.#snapshot.src = job.snapshotUrl;
      this.#snapshot.hidden = false;
    }
    const next = NEXT[d.status];
    this.#next.hidden = next === null;
    if (next) this.#next.replaceChildren(bi(next.label));
    const open = ['assigned', 'accepted', 'en_route', 'on_scene'].includes(d.status);
    this.#refuse.hidden = !['assigned', 'accepted', 'en_route'].includes(d.status);
    this.#talk.hidden = !open || d.status === 'assigned' || job.call.state === 'ended';
    if (!open) {
      this.#refuseBox.hidden = true;
      this.#doneBox.hidden = true;
    }
    this.#syncMedia();
    this.#drawMap();
  }

  close(): void {
    this.#media?.close();
    this.#media = null;
  }

  #advance(): void {
    const next = NEXT[this.#job.dispatch.status];
    if (!next) return;
    if (next.to === 'done') {
      this.#doneBox.hidden = false;
      this.#note.focus();
      return;
    }
    void this.#actions.status(this.dispatchId, next.to);
  }

  #syncMedia(): void {
    if (!this.#media) return;
    const d = this.#job.dispatch;
    const open = ['assigned', 'accepted', 'en_route', 'on_scene'].includes(d.status) && this.#job.call.state !== 'ended';
    // The microphone is opened once the job is accepted (for the talk button) and stays muted until pressed.
    this.#media.setMuted(!this.#talking);
    this.#media.sync({ producers: open ? this.#job.call.producers : [], sendMic: open && d.status !== 'assigned' });
  }

  #syncTracks(): void {
    const media = this.#media;
    if (!media) return;
    const v = media.tracks('video');
    const a = media.tracks('audio');
    const vs = v.length ? new MediaStream(v) : null;
    if ((this.#video.srcObject as MediaStream | null)?.getTracks()[0]?.id !== vs?.getTracks()[0]?.id) this.#video.srcObject = vs;
    const as = a.length ? new MediaStream(a) : null;
    if ((this.#audio.srcObject as MediaStream | null)?.getTracks()[0]?.id !== as?.getTracks()[0]?.id) this.#audio.srcObject = as;
    this.el.dataset['video'] = v.length ? 'live' : 'none';
    this.el.dataset['mic'] = media.micState;
  }

  #drawMap(): void {
    const t = this.#job.terminal;
    const tp = project(t.latitude, t.longitude);
    const parts: SVGElement[] = [svg('circle', { cx: tp.x, cy: tp.y, r: 16, class: 'dispatch-terminal' })];
    if (this.#me) {
      const mp = project(this.#me.latitude, this.#me.longitude);
      parts.push(svg('line', { x1: mp.x, y1: mp.y, x2: tp.x, y2: tp.y, class: 'job-map-line' }));
      parts.push(svg('circle', { cx: mp.x, cy: mp.y, r: 11, class: 'job-map-me', 'data-testid': 'job-map-me' }));
      setText(this.#distance, `直线 ${formatMetres(straightLine(this.#me, t))} straight line`);
    } else setText(this.#distance, this.#job.dispatch.distanceM !== null ? `派单时距离 ${formatMetres(this.#job.dispatch.distanceM)} when assigned` : '');
    this.#dots.replaceChildren(...parts);
  }
}

const NEXT: Record<string, { to: 'accepted' | 'en_route' | 'on_scene' | 'done'; label: { zh: string; en: string } } | null> = {
  assigned: { to: 'accepted', label: { zh: '接受', en: 'Accept' } },
  accepted: { to: 'en_route', label: { zh: '出发', en: 'En route' } },
  en_route: { to: 'on_scene', label: { zh: '已到场', en: 'On scene' } },
  on_scene: { to: 'done', label: { zh: '完成', en: 'Done' } },
  done: null,
  refused: null,
  cancelled: null,
};
