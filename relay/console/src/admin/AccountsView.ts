import { bi, h } from '../dom.ts';
import { adminApi, type Account } from './adminApi.ts';
import { button, field, input, ROLE_LABELS, select, time } from './form.ts';

const roleOptions = () => Object.entries(ROLE_LABELS) as [string, { zh: string; en: string }][];

/** Admins' account screen: create, change role, disable/enable, reset a password. */
export class AccountsView {
  readonly el: HTMLElement;
  readonly #rows = h('tbody', {});
  readonly #onError: (error: unknown) => void;
  readonly #onDone: (message: { zh: string; en: string }) => void;

  constructor(opts: { onError: (error: unknown) => void; onDone: (message: { zh: string; en: string }) => void }) {
    this.#onError = opts.onError;
    this.#onDone = opts.onDone;
    const username = input('new-username', { autocomplete: 'off' });
    const displayName = input('new-display-name');
    const role = select('new-role', roleOptions());
    const password = input('new-password', { type: 'password', autocomplete: 'new-password' });
    const form = h(
      'form',
      { class: 'admin-form', 'data-testid': 'account-form', novalidate: true },
      h('h3', { class: 'admin-subtitle' }, bi({ zh: '新建账号', en: 'New account' })),
      field({ zh: '用户名', en: 'Username' }, username),
      field({ zh: '姓名', en: 'Display name' }, displayName),
      field({ zh: '角色', en: 'Role' }, role),
      field({ zh: '初始密码（至少10位）', en: 'Initial password (10+ characters)' }, password),
      h('div', { class: 'admin-actions' }, h('button', { type: 'submit', class: 'btn btn-primary btn-small', 'data-testid': 'account-create' }, bi({ zh: '创建', en: 'Create' }))),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void (async () => {
        try {
          await adminApi.createUser({ username: username.value.trim(), displayName: displayName.value.trim() || username.value.trim(), role: role.value, password: password.value });
          form.reset();
          await this.refresh();
        } catch (error) {
          this.#onError(error);
        }
      })();
    });
    this.el = h(
      'section',
      { class: 'admin-screen', 'data-testid': 'accounts-admin' },
      h('h2', { class: 'admin-title' }, bi({ zh: '账号管理', en: 'Accounts' })),
      h('div', { class: 'admin-split' }, h('table', { class: 'admin-table' }, h('thead', {}, h('tr', {}, ...['用户名 User', '角色 Role', '状态 State', '创建 Created', ''].map((t) => h('th', {}, t)))), this.#rows), form),
    );
  }

  async refresh(): Promise<void> {
    try {
      this.#rows.replaceChildren(...(await adminApi.users()).map((u) => this.#row(u)));
    } catch (error) {
      this.#onError(error);
    }
  }

  #row(u: Account): HTMLElement {
    const role = select(`role-${u.username}`, roleOptions());
    role.value = u.role;
    role.addEventListener('change', () => void this.#apply(() => adminApi.editUser(u.id, { role: role.value })));
    const reset = input(`reset-password-${u.username}`, { type: 'password', placeholder: '新密码 new password', autocomplete: 'new-password' });
    return h(
      'tr',
      { 'data-testid': 'account-row', 'data-username': u.username, 'data-disabled': String(u.disabled) },
      h('td', {}, u.username, h('div', { class: 'admin-muted' }, u.displayName)),
      h('td', {}, role),
      h('td', {}, h('span', { class: `admin-badge ${u.disabled ? 'admin-badge-revoked' : 'admin-badge-enrolled'}` }, bi(u.disabled ? { zh: '已停用', en: 'Disabled' } : { zh: '正常', en: 'Active' }))),
      h('td', { class: 'admin-muted' }, time(u.createdAt)),
      h(
        'td',
        { class: 'admin-row-actions' },
        button(u.disabled ? `enable-${u.username}` : `disable-${u.username}`, u.disabled ? { zh: '启用', en: 'Enable' } : { zh: '停用', en: 'Disable' }, () => void this.#apply(() => adminApi.editUser(u.id, { disabled: !u.disabled }))),
        reset,
        button(`reset-${u.username}`, { zh: '重置密码', en: 'Reset password' }, () =>
          void this.#apply(async () => {
            await adminApi.resetPassword(u.id, reset.value);
            this.#onDone({ zh: `${u.username} 的密码已重置`, en: `Password of ${u.username} reset` });
          }),
        ),
        // Sign-in back-off after failed attempts ends at once (issue 16).
        button(`unlock-${u.username}`, { zh: '解除登录限制', en: 'Unlock sign-in' }, () =>
          void this.#apply(async () => {
            const { cleared } = await adminApi.unlockUser(u.id);
            this.#onDone(cleared ? { zh: `${u.username} 可以立即登录`, en: `${u.username} may sign in now` } : { zh: `${u.username} 没有登录限制`, en: `${u.username} was not slowed down` });
          }),
        ),
      ),
    );
  }

  async #apply(change: () => Promise<unknown>): Promise<void> {
    try {
      await change();
    } catch (error) {
      this.#onError(error);
    }
    await this.refresh();
  }
}
