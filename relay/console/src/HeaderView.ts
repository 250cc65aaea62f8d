import { bi, h, setAttr, setBi, setText } from './dom.ts';
import { CONNECTION_LABELS, formatClock } from './format.ts';
import { icon } from './icons.ts';
import type { ConnectionState } from './store.ts';
import type { UserView } from './protocolTypes.ts';

export interface HeaderModel {
  user: UserView | null;
  connection: ConnectionState;
  reconnectAt: number | null;
  now: number;
  ringingCount: number;
  online: number;
  total: number;
}

export class HeaderView {
  readonly el: HTMLElement;
  readonly #conn: HTMLElement;
  readonly #connLabel: HTMLElement;
  readonly #connDetail: HTMLElement;
  readonly #ringing: HTMLElement;
  readonly #fleet: HTMLElement;
  readonly #user: HTMLElement;
  readonly #clock: HTMLElement;

  constructor(opts: { onLogout: () => void }) {
    this.#connLabel = bi(CONNECTION_LABELS.connecting);
    this.#connDetail = h('span', { class: 'conn-detail' });
    this.#conn = h('div', { class: 'conn', 'data-testid': 'connection', 'data-state': 'connecting' }, h('span', { class: 'dot' }), this.#connLabel, this.#connDetail);
    this.#ringing = h('div', { class: 'ringing-pill', 'data-testid': 'ringing-count', hidden: true });
    this.#fleet = h('div', { class: 'fleet' });
    this.#user = h('span', { class: 'user-name', 'data-testid': 'user-name' });
    this.#clock = h('span', { class: 'clock' });
    const logout = h('button', { type: 'button', class: 'btn btn-ghost', 'data-testid': 'logout' }, bi({ zh: '退出', en: 'Sign out' }));
    logout.addEventListener('click', () => opts.onLogout());
    this.el = h(
      'header',
      { class: 'topbar' },
      h('div', { class: 'topbar-brand' }, h('div', { class: 'brand-mark small' }, 'SOS'), h('div', {}, h('div', { class: 'brand-title' }, '一键求助 指挥台'), h('div', { class: 'brand-sub' }, 'HelpPoint Console'))),
      this.#ringing,
      h('div', { class: 'topbar-spacer' }),
      this.#fleet,
      this.#conn,
      this.#clock,
      h('div', { class: 'topbar-user' }, h('span', { class: 'user-icon' }, icon('officer')), this.#user),
      logout,
    );
  }

  update(m: HeaderModel): void {
    setAttr(this.#conn, 'data-state', m.connection);
    setBi(this.#connLabel, CONNECTION_LABELS[m.connection]);
    const wait = m.connection === 'reconnecting' && m.reconnectAt ? Math.max(0, Math.ceil((m.reconnectAt - m.now) / 1000)) : null;
    setText(this.#connDetail, wait !== null && wait > 0 ? `${wait}s` : '');
    this.#ringing.hidden = m.ringingCount === 0;
    setText(this.#ringing, m.ringingCount > 0 ? `${m.ringingCount} 个呼叫等待接听 · ${m.ringingCount} waiting` : '');
    setText(this.#fleet, m.total > 0 ? `终端在线 Online ${m.online}/${m.total}` : '');
    setText(this.#user, m.user ? `${m.user.displayName}` : '');
    setAttr(this.#user, 'title', m.user ? `${m.user.username} · ${m.user.role}` : null);
    setText(this.#clock, formatClock(m.now));
  }
}
