import * as api from './api.ts';
import { CallAreaView } from './CallAreaView.ts';
import type { CardContext } from './CallCardView.ts';
import { ConsoleSocket, consoleSocketUrl } from './ConsoleSocket.ts';
import { snapshot, installDebugHook } from './debugHook.ts';
import { bi, h, setText } from './dom.ts';
import { errorLabel } from './format.ts';
import { HeaderView } from './HeaderView.ts';
import { icon } from './icons.ts';
import { LoginView } from './LoginView.ts';
import { MediaManager } from './MediaManager.ts';
import type { ConsoleEventArgs, ConsoleRequestData, ConsoleRequestResult, ConsoleRequestType, UserView } from './protocolTypes.ts';
import { RecentCallsView } from './RecentCallsView.ts';
import { Ringer } from './Ringer.ts';
import { callCards, mediaPlan, onlineCount, recentCalls, ringingCalls, ringMode, sortedTerminals, startsRinging } from './selectors.ts';
import { applyCallUpdated, applyHello, applyTerminalStatus, dismissCall, initialState, setConnection, setTalk, setUser, type ConsoleState } from './store.ts';
import { canLookIn, isTalking } from './lookin.ts';
import { TerminalListView } from './TerminalListView.ts';
import { FleetPage } from './FleetPage.ts';
import { Toasts } from './Toasts.ts';
import { DutyDesk } from './DutyDesk.ts';
import './admin/admin.css';
import { adminApi } from './admin/adminApi.ts';
import { AccountsView } from './admin/AccountsView.ts';
import { AuditView } from './admin/AuditView.ts';
import { UpdatesView } from './updates/UpdatesView.ts';
import { PasswordView } from './admin/PasswordView.ts';
import { TerminalsAdminView } from './admin/TerminalsAdminView.ts';
import { ConsoleNav, type PageDef } from './ConsoleNav.ts';
import type { Page } from './navModel.ts';
import { addMissed, calledBack, emptyMissed, loadMissed, missedFromCall, type MissedState } from './missedCalls.ts';
import { fetchMissedCalls, markCalledBack, MissedCallsView } from './MissedCallsView.ts';
import type { Bilingual } from './format.ts';
// dispatch (issue 13)
import { DispatchDesk } from './dispatch/DispatchDesk.ts';
import { ReportView } from './dispatch/ReportView.ts';

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'internal';
}
function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** How long a draw waits for a frame before it goes ahead anyway (a hidden tab has none). */
const RENDER_FALLBACK_MS = 100;

/**
 * Wires the pure store to the outside world: the relay socket feeds it, and
 * every change reconciles media and sets the ringtone at once, and redraws the
 * views on the next frame.
 */
export class ConsoleApp {
  readonly #root: HTMLElement;
  #state: ConsoleState = initialState();
  /** A draw is due on the next frame (#render). */
  #renderPending = false;
  #socket: ConsoleSocket | null = null;
  readonly #media: MediaManager;
  readonly #ringer = new Ringer();
  readonly #toasts = new Toasts();
  readonly #login: LoginView;
  readonly #header: HeaderView;
  readonly #terminals = new TerminalListView({ onLookin: (id) => void this.#lookin(id) });
  readonly #calls: CallAreaView;
  readonly #recent = new RecentCallsView();
  readonly #soundBanner: HTMLButtonElement;
  readonly #connBanner: HTMLElement;
  readonly #consoleEl: HTMLElement;
  readonly #nav: ConsoleNav;
  readonly #fleet: FleetPage;
  readonly #ringBanner: HTMLButtonElement;
  readonly #missedView: MissedCallsView;
  #missed: MissedState = emptyMissed();
  #permissions: string[] = [];
  readonly #busy = new Map<string, 'answer' | 'hangup'>();
  readonly #desk: DutyDesk;
  readonly #dispatch: DispatchDesk;
  #tick: ReturnType<typeof setInterval> | null = null;

  constructor(root: HTMLElement) {
    this.#root = root;
    this.#media = new MediaManager({
      request: (type, data) => this.#request(type, data),
      onError: (_callId, code, message) => this.#toasts.show('error', errorLabel(code), code, message),
      onChange: () => this.#render(),
    });
    this.#login = new LoginView({ onSubmit: (u, p) => this.#signIn(u, p), onGesture: () => this.#ringer.unlock() });
    this.#header = new HeaderView({ onLogout: () => void this.#signOut() });
    this.#calls = new CallAreaView({
      answer: (id) => void this.#answer(id),
      hangup: (id) => void this.#hangup(id),
      dismiss: (id) => this.#update((s) => dismissCall(s, id)),
      retryMic: (id) => {
        this.#media.get(id)?.retryMic();
        this.#media.reconcile(mediaPlan(this.#state));
      },
      toggleMute: (id) => this.#desk.toggleMute(id),
      toggleTalk: (id) => this.#toggleTalk(id),
      dispatch: (id) => {
        const call = this.#state.calls[id]?.call;
        if (call) this.#dispatch.open(id, call.terminal);
      },
      snapshot: (id, jpeg) => this.#desk.snapshot(id, jpeg),
      snapshotFailed: (_id, error) => this.#toasts.show('error', errorLabel(errorCode(error)), errorCode(error), errorMessage(error)),
    });
    this.#desk = new DutyDesk({ media: this.#media, toasts: this.#toasts, goToDesk: () => this.#nav.open('desk') });
    this.#missedView = new MissedCallsView({ onCalledBack: (callId) => this.#calledBack(callId) });
    this.#soundBanner = h(
      'button',
      { type: 'button', class: 'sound-banner', 'data-testid': 'enable-sound', hidden: true },
      icon('speaker'),
      bi({ zh: '铃声未启用，点击此处启用', en: 'Ringtone is off — click here to enable sound' }),
    );
    this.#soundBanner.addEventListener('click', () => this.#ringer.unlock());
    this.#connBanner = h(
      'div',
      { class: 'conn-banner', role: 'alert', 'data-testid': 'connection-lost', hidden: true },
      bi({ zh: '与指挥服务器的连接已中断，正在重连。重连前本台收不到新的求助呼叫。', en: 'Connection to the relay lost; reconnecting. New help calls cannot reach this console until then.' }),
    );
    this.#ringer.onUnlockChange = () => this.#render();
    // Shown on every page but the desk: an officer on the map or in the accounts still sees a call ringing.
    this.#ringBanner = h('button', { type: 'button', class: 'ring-banner', role: 'alert', 'data-testid': 'ringing-banner', hidden: true });
    this.#ringBanner.addEventListener('click', () => this.#nav.open('desk'));
    const showError = (error: unknown) => this.#toasts.show('error', errorLabel(errorCode(error)), errorCode(error), errorMessage(error));
    const showInfo = (message: Bilingual) => this.#toasts.show('info', message);
    this.#dispatch = new DispatchDesk({ onError: showError, onInfo: showInfo });
    const report = new ReportView({ onError: showError });
    // Asked again at every (re)connect (FleetPage.onHello reloads), so one lost while the socket was down does no harm.
    this.#fleet = new FleetPage({ onError: showError, watch: (on) => void this.#request('fleet.watch', { on }).catch((error: unknown) => console.warn('fleet.watch', error)) });
    const admin = (view: { el: HTMLElement; refresh(): Promise<void> }) => ({ el: h('div', { class: 'admin-panel' }, view.el), onShow: () => void view.refresh() });
    const pages: Record<Page, PageDef> = {
      desk: { el: h('main', { class: 'layout' }, this.#terminals.el, h('div', { class: 'calls-column' }, this.#desk.disposition.el, this.#dispatch.panel.el, this.#calls.el), this.#desk.side(this.#missedView.el, this.#recent.el)) },
      map: { el: this.#desk.mapPage },
      history: { el: this.#desk.history.el },
      fleet: { el: this.#fleet.el, onShow: () => this.#fleet.show() },
      terminals: admin(new TerminalsAdminView({ onError: showError })),
      updates: admin(new UpdatesView({ onError: showError, onDone: showInfo })),
      accounts: admin(new AccountsView({ onError: showError, onDone: showInfo })),
      audit: admin(new AuditView({ onError: showError })),
      password: admin(new PasswordView({ onError: showError, onDone: showInfo })),
      report: { el: report.el, onShow: () => void report.refresh() },
    };
    this.#nav = new ConsoleNav({
      root: this.#root,
      pages,
      onChange: (page) => {
        this.#desk.pageChanged(page);
        this.#render();
      },
    });
    this.#consoleEl = h('div', { class: 'console' }, this.#header.el, this.#nav.el, this.#connBanner, this.#soundBanner, this.#ringBanner, h('div', { class: 'pages' }, ...Object.values(pages).map((p) => p.el)));
  }

  async start(): Promise<void> {
    installDebugHook(() => snapshot(this.#state, this.#media, this.#ringer));
    // Any gesture on the page may unlock audio; the ringtone must not depend on one button.
    const unlock = (): void => {
      this.#ringer.unlock();
      this.#desk.notifier.requestPermission();
    };
    document.addEventListener('pointerdown', unlock, { capture: true });
    document.addEventListener('keydown', unlock, { capture: true });
    let user: UserView | null;
    try {
      user = await api.me();
    } catch (error) {
      this.#showLogin();
      this.#login.showError(errorLabel(errorCode(error)), errorCode(error));
      return;
    }
    if (user) this.#enter(user);
    else this.#showLogin();
  }

  #showLogin(): void {
    this.#state = initialState();
    this.#root.dataset.view = 'login';
    this.#root.dataset.connected = 'false';
    this.#root.replaceChildren(this.#login.el, this.#toasts.el);
    document.title = '登录 Sign in · 一键求助 HelpPoint';
    this.#login.focus();
  }

  async #signIn(username: string, password: string): Promise<void> {
    try {
      const user = await api.login(username, password);
      this.#login.reset();
      this.#enter(user);
    } catch (error) {
      const code = errorCode(error);
      this.#login.showError(errorLabel(code), code);
    }
  }

  #enter(user: UserView): void {
    // Hook (dispatch, issue 13): responders have their own phone page.
    if (user.role === 'responder') {
      location.assign('./responder.html');
      return;
    }
    this.#root.dataset.view = 'console';
    this.#root.replaceChildren(this.#consoleEl, this.#toasts.el);
    const socket = new ConsoleSocket({
      url: consoleSocketUrl(location),
      sessionValid: async () => (await api.me()) !== null,
    });
    this.#socket = socket;
    socket.on('status', (status, reconnectAt) => {
      if (status !== 'connected') this.#update((s) => setConnection(s, status, reconnectAt));
    });
    socket.on('hello', (hello) => {
      this.#media.load(hello.routerRtpCapabilities);
      this.#update((s) => applyHello(s, hello, Date.now()));
      // (Re)connected: presses delivered late while this console was away, and fleet changes, come from the relay again.
      void this.#loadMissed();
      this.#fleet.onHello();
    });
    socket.on('event', (...args) => this.#onEvent(...args));
    socket.on('unauthenticated', () => {
      this.#leave();
      this.#showLogin();
      this.#login.showError(errorLabel('unauthenticated'), 'unauthenticated');
    });
    this.#update(() => setConnection(setUser(initialState(), user), 'connecting'));
    this.#desk.enter();
    socket.start();
    this.#dispatch.enter(async () => (await api.me()) !== null);
    void this.#loadPermissions();
    this.#tick = setInterval(() => this.#update((s) => s), 1_000);
  }

  #leave(): void {
    this.#dispatch.leave();
    this.#socket?.close();
    this.#socket = null;
    this.#nav.reset();
    this.#fleet.reset();
    this.#permissions = [];
    this.#missed = emptyMissed();
    this.#missedView.update([], 0);
    if (this.#tick) clearInterval(this.#tick);
    this.#tick = null;
    this.#media.reset();
    this.#ringer.setMode('off');
    this.#busy.clear();
    this.#state = initialState();
    this.#calls.update([], () => ({ now: 0, myUserId: null, media: undefined, busy: null }), '');
    this.#terminals.update([], 0);
    this.#recent.update([], null, 0);
  }

  async #signOut(): Promise<void> {
    this.#leave();
    try {
      await api.logout();
    } catch (error) {
      this.#toasts.show('error', errorLabel(errorCode(error)), errorCode(error), errorMessage(error));
    }
    this.#showLogin();
  }

  #onEvent(...[type, data]: ConsoleEventArgs): void {
    const now = Date.now();
    switch (type) {
      case 'call.updated': {
        const { call } = data;
        this.#update((s) => applyCallUpdated(s, call, now));
        const missed = missedFromCall(call);
        if (missed) this.#setMissed(addMissed(this.#missed, missed));
        break;
      }
      case 'terminal.status':
        this.#update((s) => applyTerminalStatus(s, data));
        this.#fleet.onEvent(type, data);
        break;
      case 'call.audioActivity':
        this.#calls.terminalAudio(data.callId, { inputDbfs: data.inputDbfs, speaking: data.speaking });
        break;
      case 'call.calledBack':
        this.#setMissed(calledBack(this.#missed, data.callId));
        break;
      case 'fleet.updated':
        this.#fleet.onEvent(type, data);
        break;
      case 'rtc.consumersOffered':
        this.#media.offer(data.callId, data.consumers);
        break;
    }
  }

  /** The tabs come from the permissions the relay gives with /api/me, not from guessing by role name. */
  async #loadPermissions(): Promise<void> {
    try {
      this.#permissions = await adminApi.permissions();
    } catch (error) {
      this.#toasts.show('error', errorLabel(errorCode(error)), errorCode(error), errorMessage(error));
      this.#permissions = [];
    }
    if (this.#state.connection === 'signed-out') return;
    this.#nav.enter(this.#permissions);
    void this.#loadMissed();
  }

  async #loadMissed(): Promise<void> {
    if (!this.#permissions.includes('calls.read')) return;
    try {
      const list = await fetchMissedCalls();
      this.#setMissed(loadMissed(this.#missed, list));
    } catch (error) {
      this.#toasts.show('error', errorLabel(errorCode(error)), errorCode(error), errorMessage(error));
    }
  }

  async #calledBack(callId: string): Promise<void> {
    try {
      await markCalledBack(callId);
      this.#setMissed(calledBack(this.#missed, callId));
      this.#toasts.show('info', { zh: '已记录回拨', en: 'Call-back recorded' }, 'saved', callId);
    } catch (error) {
      this.#toasts.show('error', errorLabel(errorCode(error)), errorCode(error), errorMessage(error));
    }
  }

  #setMissed(next: MissedState): void {
    if (next === this.#missed) return;
    this.#missed = next;
    this.#render();
  }

  #request<K extends ConsoleRequestType>(type: K, data: ConsoleRequestData<K>): Promise<ConsoleRequestResult<K>> {
    if (!this.#socket) return Promise.reject(Object.assign(new Error('signed out'), { code: 'disconnected' }));
    return this.#socket.request(type, data);
  }

  async #answer(callId: string): Promise<void> {
    if (this.#busy.has(callId)) return;
    this.#ringer.unlock();
    this.#busy.set(callId, 'answer');
    this.#render();
    try {
      const { call } = await this.#request('call.answer', { callId });
      // The microphone starts from the media reconcile once the store says the call is ours.
      this.#update((s) => applyCallUpdated(s, call, Date.now()));
    } catch (error) {
      this.#toasts.show('error', errorLabel(errorCode(error)), errorCode(error), errorMessage(error));
    } finally {
      this.#busy.delete(callId);
      this.#render();
    }
  }

  /** Opens a terminal's camera without a call: the card appears like a call this officer took. */
  async #lookin(terminalId: string): Promise<void> {
    try {
      const { call } = await this.#request('lookin.start', { terminalId });
      this.#update((s) => applyCallUpdated(s, call, Date.now()));
    } catch (error) {
      this.#toasts.show('error', errorLabel(errorCode(error)), errorCode(error), errorMessage(error));
    }
  }

  /** 对讲 Talk: the first switch-on opens the microphone; afterwards it is muted and unmuted. */
  #toggleTalk(callId: string): void {
    const talk = !isTalking(this.#state, callId);
    this.#update((s) => setTalk(s, callId, talk));
    this.#media.get(callId)?.setMuted(!talk);
  }

  async #hangup(callId: string): Promise<void> {
    if (this.#busy.has(callId)) return;
    this.#busy.set(callId, 'hangup');
    this.#render();
    try {
      // On a call still ringing here the red button is Decline: it silences this console only.
      const entry = this.#state.calls[callId];
      if (entry?.call.state === 'ringing' && entry.call.kind !== 'lookin') await this.#request('call.decline', { callId });
      else await this.#request('call.hangup', { callId });
    } catch (error) {
      this.#toasts.show('error', errorLabel(errorCode(error)), errorCode(error), errorMessage(error));
    } finally {
      this.#busy.delete(callId);
      this.#render();
    }
  }

  #update(change: (s: ConsoleState) => ConsoleState): void {
    const before = this.#state;
    this.#state = change(before);
    if (this.#state !== before) {
      this.#media.reconcile(mediaPlan(this.#state));
      this.#ringer.setMode(ringMode(this.#state));
      // A new ring is drawn now: waiting for the next frame left it one frame later on screen (and 100 ms in a
      // hidden tab). The relay's consumer offer comes tens of milliseconds behind the ring, after this drawing.
      if (startsRinging(before, this.#state)) {
        this.#renderPending = false;
        this.#renderNow();
        return;
      }
    }
    this.#render();
  }

  /**
   * Draws the state on the next frame, once however many changes came before it: the relay's consumer
   * offer and the other updates of a ringing call are not each held up by a full drawing. Only a new
   * ring is drawn at once (#update). A hidden tab gets no frames, so a timer stands in: its title and
   * ringtone state still follow the calls there.
   */
  #render(): void {
    if (this.#renderPending) return;
    this.#renderPending = true;
    const run = (): void => {
      if (!this.#renderPending) return;
      this.#renderPending = false;
      this.#renderNow();
    };
    requestAnimationFrame(run);
    setTimeout(run, RENDER_FALLBACK_MS);
  }

  #renderNow(): void {
    const s = this.#state;
    if (s.connection === 'signed-out') return;
    const now = Date.now();
    const ringing = ringingCalls(s).length;
    const { online, total } = onlineCount(s);
    const myUserId = s.user?.id ?? null;
    this.#root.dataset.connected = String(s.connection === 'connected');
    this.#root.dataset.ringing = String(ringing > 0);
    this.#header.update({ user: s.user, connection: s.connection, reconnectAt: s.reconnectAt, now, ringingCount: ringing, online, total });
    this.#soundBanner.hidden = this.#ringer.unlocked;
    this.#connBanner.hidden = s.connection !== 'reconnecting';
    this.#terminals.update(sortedTerminals(s), online, (row) => canLookIn(s, row));
    const context = (callId: string): Omit<CardContext, 'compact'> => ({ now, myUserId, media: this.#media.get(callId), busy: this.#busy.get(callId) ?? null, talking: isTalking(s, callId) });
    this.#calls.update(callCards(s, now), context, total > 0 ? `${online}/${total} 台终端在线 · ${online} of ${total} terminals online` : '');
    this.#recent.update(recentCalls(s), myUserId, now);
    this.#desk.render(s);
    this.#missedView.update(this.#missed.items, now);
    this.#missedView.el.hidden = !this.#permissions.includes('calls.read');
    this.#ringBanner.hidden = ringing === 0 || this.#nav.current === 'desk' || this.#nav.current === null;
    setText(this.#ringBanner, ringing > 0 ? `${ringing} 个求助呼叫等待接听，点击回到值班台 · ${ringing} help call${ringing > 1 ? 's' : ''} ringing — open the duty desk` : '');
    if (this.#nav.current === 'fleet') this.#fleet.tick();
    document.title = ringing > 0 ? `(${ringing}) 求助呼叫 Help call · HelpPoint` : '一键求助 指挥台 · HelpPoint Console';
  }
}
