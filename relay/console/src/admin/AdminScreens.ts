import './admin.css';
import { bi, h } from '../dom.ts';
import type { Bilingual } from '../format.ts';
import { adminApi, type Permission } from './adminApi.ts';
import { AccountsView } from './AccountsView.ts';
import { AuditView } from './AuditView.ts';
import { PasswordView } from './PasswordView.ts';
import { TerminalsAdminView } from './TerminalsAdminView.ts';

type Tab = 'console' | 'terminals' | 'accounts' | 'audit' | 'password';

interface Screen {
  el: HTMLElement;
  refresh(): Promise<void>;
}

const TABS: { tab: Tab; label: Bilingual; needs: Permission | null }[] = [
  { tab: 'console', label: { zh: '指挥台', en: 'Console' }, needs: null },
  { tab: 'terminals', label: { zh: '终端管理', en: 'Terminals' }, needs: 'terminals.manage' },
  { tab: 'accounts', label: { zh: '账号', en: 'Accounts' }, needs: 'users.manage' },
  { tab: 'audit', label: { zh: '审计日志', en: 'Audit log' }, needs: 'audit.read' },
  { tab: 'password', label: { zh: '修改密码', en: 'Password' }, needs: null },
];

/**
 * The navigation under the header and the screens behind it. Only tabs the
 * signed-in role may use are shown; the relay refuses the rest anyway.
 */
export class AdminScreens {
  readonly nav = h('nav', { class: 'admin-nav', 'data-testid': 'nav' });
  readonly el = h('div', { class: 'admin-panel', hidden: true });
  readonly #main: HTMLElement;
  readonly #screens: Record<Exclude<Tab, 'console'>, Screen>;
  #permissions: Permission[] = [];

  constructor(opts: { main: HTMLElement; onError: (error: unknown) => void; onInfo: (message: Bilingual) => void }) {
    this.#main = opts.main;
    this.#screens = {
      terminals: new TerminalsAdminView({ onError: opts.onError }),
      accounts: new AccountsView({ onError: opts.onError, onDone: opts.onInfo }),
      audit: new AuditView({ onError: opts.onError }),
      password: new PasswordView({ onError: opts.onError, onDone: opts.onInfo }),
    };
  }

  /** Builds the tabs for the signed-in user's permissions (asked from the relay, not guessed). */
  async load(onError: (error: unknown) => void): Promise<void> {
    try {
      this.#permissions = await adminApi.permissions();
    } catch (error) {
      onError(error);
      this.#permissions = [];
    }
    const visible = TABS.filter((t) => t.needs === null || this.#permissions.includes(t.needs));
    this.nav.replaceChildren(
      ...visible.map((t) => {
        const b = h('button', { type: 'button', class: 'admin-tab', 'data-testid': `nav-${t.tab}`, 'data-tab': t.tab }, bi(t.label));
        b.addEventListener('click', () => void this.show(t.tab));
        return b;
      }),
    );
    await this.show('console');
  }

  async show(tab: Tab): Promise<void> {
    for (const b of this.nav.querySelectorAll<HTMLElement>('.admin-tab')) b.setAttribute('aria-current', String(b.dataset['tab'] === tab));
    this.#main.hidden = tab !== 'console';
    this.el.hidden = tab === 'console';
    if (tab === 'console') return;
    const screen = this.#screens[tab];
    this.el.replaceChildren(screen.el);
    await screen.refresh();
  }

  reset(): void {
    this.#permissions = [];
    this.nav.replaceChildren();
    this.el.replaceChildren();
    this.el.hidden = true;
    this.#main.hidden = false;
  }
}
