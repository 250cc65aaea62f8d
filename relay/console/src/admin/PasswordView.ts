import { bi, h } from '../dom.ts';
import { adminApi } from './adminApi.ts';
import { field, input } from './form.ts';

/** Everyone changes their own password here. */
export class PasswordView {
  readonly el: HTMLElement;

  constructor(opts: { onError: (error: unknown) => void; onDone: (message: { zh: string; en: string }) => void }) {
    const current = input('current-password', { type: 'password', autocomplete: 'current-password' });
    const next = input('new-own-password', { type: 'password', autocomplete: 'new-password' });
    const form = h(
      'form',
      { class: 'admin-form', 'data-testid': 'password-form', novalidate: true },
      field({ zh: '当前密码', en: 'Current password' }, current),
      field({ zh: '新密码（至少10位）', en: 'New password (10+ characters)' }, next),
      h('div', { class: 'admin-actions' }, h('button', { type: 'submit', class: 'btn btn-primary btn-small', 'data-testid': 'password-save' }, bi({ zh: '修改密码', en: 'Change password' }))),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void adminApi.changePassword(current.value, next.value).then(
        () => {
          form.reset();
          opts.onDone({ zh: '密码已修改，其他登录已退出', en: 'Password changed; other sessions were signed out' });
        },
        (error: unknown) => opts.onError(error),
      );
    });
    this.el = h('section', { class: 'admin-screen', 'data-testid': 'password-screen' }, h('h2', { class: 'admin-title' }, bi({ zh: '修改密码', en: 'Change password' })), form);
  }

  refresh(): Promise<void> {
    return Promise.resolve();
  }
}
