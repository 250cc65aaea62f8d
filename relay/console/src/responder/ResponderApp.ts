import { Device, type types } from 'mediasoup-client';
import type { JobView, ResponderView } from '@helppoint/shared/types';
import * as api from '../api.ts';
import type { RequestFn } from '../CallMedia.ts';
import { ConsoleSocket } from '../ConsoleSocket.ts';
import { bi, h, setText } from '../dom.ts';
import { errorLabel } from '../format.ts';
import { LoginView } from '../LoginView.ts';
import { Ringer } from '../Ringer.ts';
import { Toasts } from '../Toasts.ts';
import { KIND_LABELS } from '../dispatch/dispatchLabels.ts';
import { JobCard } from './JobCard.ts';
import { PositionReporter } from './PositionReporter.ts';
import { responderApi } from './responderApi.ts';

const codeOf = (e: unknown): string => {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : 'internal';
};
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

interface ResponderHello {
  responder: ResponderView;
  routerRtpCapabilities: Record<string, unknown>;
  jobs: JobView[];
}

/**
 * The responder's phone page: sign in, go on duty (the position is then
 * reported every few seconds), and take jobs: the phone rings (sound,
 * vibration, notification) for a new one until it is accepted or refused.
 */
export class ResponderApp {
  readonly #root: HTMLElement;
  readonly #toasts = new Toasts();
  readonly #ringer = new Ringer();
  readonly #login: LoginView;
  readonly #unit = h('div', { class: 'resp-unit', 'data-testid': 'resp-unit' });
  readonly #duty = h('button', { type: 'button', class: 'btn btn-huge', 'data-testid': 'duty-toggle' });
  readonly #dutyState = h('div', { class: 'resp-duty-state', 'data-testid': 'duty-state' });
  readonly #posLine = h('div', { class: 'resp-pos muted mono', 'data-testid': 'resp-position' });
  readonly #jobsEl = h('div', { class: 'resp-jobs', 'data-testid': 'jobs' });
  readonly #empty = h('p', { class: 'muted resp-empty' }, bi({ zh: '暂无任务。在岗时保持此页面打开。', en: 'No job. Keep this page open while on duty.' }));
  readonly #cards = new Map<number, JobCard>();
  readonly #reporter: PositionReporter;
  #me: ResponderView | null = null;
  #socket: ConsoleSocket | null = null;
  #device: Device | null = null;
  #vibrate: ReturnType<typeof setInterval> | null = null;
  readonly #notified = new Set<number>();

  constructor(root: HTMLElement) {
    this.#root = root;
    this.#login = new LoginView({ onSubmit: (u, p) => this.#signIn(u, p), onGesture: () => this.#ringer.unlock() });
    this.#reporter = new PositionReporter({
      send: async (p) => {
        const r = await responderApi.position(p);
        this.#setMe(r);
      },
      onError: (message) => setText(this.#posLine, message),
    });
    this.#duty.addEventListener('click', () => void this.#toggleDuty());
    document.addEventListener('pointerdown', () => this.#ringer.unlock(), { capture: true });
  }

  async start(): Promise<void> {
    const user = await api.me().catch(() => null);
    if (!user) return this.#showLogin();
    await this.#enter(user);
  }

  #showLogin(): void {
    this.#root.dataset['view'] = 'login';
    this.#root.replaceChildren(this.#login.el, this.#toasts.el);
    this.#login.focus();
  }

  async #signIn(username: string, password: string): Promise<void> {
    try {
      const user = await api.login(username, password);
      this.#login.reset();
      await this.#enter(user);
    } catch (error) {
      this.#login.showError(errorLabel(codeOf(error)), codeOf(error));
    }
  }

  async #enter(user: { role: string; displayName: string }): Promise<void> {
    if (user.role !== 'responder') {
      this.#root.dataset['view'] = 'not-responder';
      this.#root.replaceChildren(h('div', { class: 'resp-wrong' }, h('p', {}, bi({ zh: '此页面仅供处警人员使用。', en: 'This page is for responders.' })), h('a', { href: './', class: 'btn btn-primary' }, bi({ zh: '打开指挥台', en: 'Open the console' }))));
      return;
    }
    let me;
    try {
      me = await responderApi.me();
    } catch (error) {
      this.#toasts.show('error', errorLabel(codeOf(error)), codeOf(error), messageOf(error));
      return;
    }
    const logout = h('button', { type: 'button', class: 'btn btn-ghost', 'data-testid': 'resp-logout' }, bi({ zh: '退出', en: 'Sign out' }));
    logout.addEventListener('click', () => void this.#signOut());
    this.#root.dataset['view'] = 'responder';
    this.#root.replaceChildren(
      h('header', { class: 'resp-header' }, this.#unit, logout),
      h('section', { class: 'resp-duty' }, this.#dutyState, this.#duty, this.#posLine),
      this.#jobsEl,
      this.#toasts.el,
    );
    this.#setMe(me.responder);
    for (const job of me.jobs) this.#job(job);
    this.#openSocket();
  }

  #openSocket(): void {
    const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws/responder`;
    const socket = new ConsoleSocket({ url, sessionValid: async () => (await api.me()) !== null });
    this.#socket = socket;
    socket.on('hello', (hello) => void this.#onHello(hello as unknown as ResponderHello));
    socket.on('status', (status) => (this.#root.dataset['connected'] = String(status === 'connected')));
    socket.on('event', (...args) => {
      // ConsoleSocket is typed for /ws/console; this socket carries the dispatch catalogue's events.
      const [type, data] = args as unknown as [string, unknown];
      if (type === 'job.updated') this.#job((data as { job: JobView }).job);
    });
    socket.on('unauthenticated', () => {
      this.#leave();
      this.#showLogin();
    });
    socket.start();
  }

  async #onHello(hello: ResponderHello): Promise<void> {
    this.#setMe(hello.responder);
    const device = new Device();
    await device.load({ routerRtpCapabilities: hello.routerRtpCapabilities as unknown as types.RtpCapabilities });
    this.#device = device;
    for (const job of hello.jobs) this.#job(job);
    for (const card of this.#cards.values()) card.attach(device, this.#request);
  }

  readonly #request: RequestFn = (type, data) => {
    if (!this.#socket) return Promise.reject(new Error('not connected'));
    return (this.#socket.request as unknown as RequestFn)(type, data);
  };

  #job(job: JobView): void {
    const id = job.dispatch.id;
    let card = this.#cards.get(id);
    const open = ['assigned', 'accepted', 'en_route', 'on_scene'].includes(job.dispatch.status);
    if (!card) {
      if (!open) return;
      card = new JobCard(job, {
        status: async (dispatchId, status, extra) => {
          try {
            this.#job(await responderApi.status(dispatchId, { status, ...extra }));
          } catch (error) {
            this.#toasts.show('error', errorLabel(codeOf(error)), codeOf(error), messageOf(error));
          }
        },
        talk: async (dispatchId, on) => {
          try {
            await this.#request('job.talk' as never, { dispatchId, on } as never);
          } catch (error) {
            this.#toasts.show('error', errorLabel(codeOf(error)), codeOf(error), messageOf(error));
          }
        },
        onError: (code, message) => this.#toasts.show('error', errorLabel(code), code, message),
      });
      this.#cards.set(id, card);
      this.#jobsEl.prepend(card.el);
      if (this.#device) card.attach(this.#device, this.#request);
      card.setPosition(this.#me?.position ?? null);
    } else card.update(job);
    if (!open) {
      // Done, refused or cancelled: the card stays a few seconds so the responder sees what happened.
      const gone = card;
      setTimeout(() => {
        gone.close();
        gone.el.remove();
        if (this.#cards.get(id) === gone) this.#cards.delete(id);
        this.#renderEmpty();
      }, 4_000);
    }
    this.#ring();
    this.#renderEmpty();
  }

  /** Rings while any job waits to be accepted. */
  #ring(): void {
    const waiting = [...this.#cards.values()].filter((c) => c.job.dispatch.status === 'assigned');
    this.#root.dataset['ringing'] = String(waiting.length > 0);
    this.#ringer.setMode(waiting.length ? 'urgent' : 'off');
    if (waiting.length && !this.#vibrate) {
      const buzz = (): void => void navigator.vibrate?.([600, 200, 600]);
      buzz();
      this.#vibrate = setInterval(buzz, 2_000);
    } else if (!waiting.length && this.#vibrate) {
      clearInterval(this.#vibrate);
      this.#vibrate = null;
      navigator.vibrate?.(0);
    }
    for (const c of waiting) {
      if (this.#notified.has(c.dispatchId) || typeof Notification === 'undefined' || Notification.permission !== 'granted') continue;
      this.#notified.add(c.dispatchId);
      const t = c.job.terminal;
      new Notification(`出警任务 Job · ${t.id}`, { body: `${t.name}\n${t.address}`, tag: `helppoint-job-${c.dispatchId}`, requireInteraction: true });
    }
  }

  #renderEmpty(): void {
    if (!this.#cards.size && !this.#jobsEl.contains(this.#empty)) this.#jobsEl.append(this.#empty);
    if (this.#cards.size) this.#empty.remove();
  }

  async #toggleDuty(): Promise<void> {
    if (!this.#me) return;
    if (typeof Notification !== 'undefined' && Notification.permission === 'default') void Notification.requestPermission().catch(() => undefined);
    try {
      this.#setMe(await responderApi.duty(!this.#me.onDuty));
    } catch (error) {
      this.#toasts.show('error', errorLabel(codeOf(error)), codeOf(error), messageOf(error));
    }
  }

  #setMe(r: ResponderView): void {
    this.#me = r;
    setText(this.#unit, `${r.unitName} · ${r.displayName} · ${KIND_LABELS[r.kind].zh} ${KIND_LABELS[r.kind].en}`);
    this.#root.dataset['onDuty'] = String(r.onDuty);
    this.#duty.className = `btn btn-huge ${r.onDuty ? 'btn-hangup' : 'btn-answer'}`;
    this.#duty.replaceChildren(bi(r.onDuty ? { zh: '下班（停止定位）', en: 'Go off duty (stop location)' } : { zh: '上岗（开始定位）', en: 'Go on duty (share location)' }));
    this.#dutyState.replaceChildren(bi(r.onDuty ? { zh: '在岗', en: 'On duty' } : { zh: '未在岗', en: 'Off duty' }));
    if (r.onDuty) this.#reporter.start();
    else this.#reporter.stop();
    setText(this.#posLine, r.position ? `${r.position.latitude.toFixed(5)}, ${r.position.longitude.toFixed(5)} ±${Math.round(r.position.accuracyM ?? 0)} m` : r.onDuty ? '正在定位… Locating…' : '');
    for (const card of this.#cards.values()) card.setPosition(r.position);
  }

  #leave(): void {
    this.#reporter.stop();
    this.#socket?.close();
    this.#socket = null;
    for (const c of this.#cards.values()) c.close();
    this.#cards.clear();
    this.#ringer.setMode('off');
    if (this.#vibrate) clearInterval(this.#vibrate);
    this.#vibrate = null;
  }

  async #signOut(): Promise<void> {
    this.#leave();
    await api.logout().catch(() => undefined);
    this.#showLogin();
  }
}
