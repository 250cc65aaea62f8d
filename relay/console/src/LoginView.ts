import { bi, h, setText } from './dom.ts';
import type { Bilingual } from './format.ts';

export interface LoginViewOptions {
  onSubmit: (username: string, password: string) => Promise<void>;
  /** Runs synchronously inside the click, where browsers allow audio to be unlocked. */
  onGesture: () => void;
}

export class LoginView {
  readonly el: HTMLElement;
  readonly #username: HTMLInputElement;
  readonly #password: HTMLInputElement;
  readonly #submit: HTMLButtonElement;
  readonly #error: HTMLElement;

  constructor(opts: LoginViewOptions) {
    this.#username = h('input', { id: 'login-username', name: 'username', type: 'text', autocomplete: 'username', required: true, autofocus: true, spellcheck: 'false' });
    this.#password = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
    this.#submit = h('button', { id: 'login-submit', type: 'submit', class: 'btn btn-primary btn-block' }, bi({ zh: '登录', en: 'Sign in' }));
    this.#error = h('p', { 'data-testid': 'login-error', class: 'login-error', role: 'alert', hidden: true });
    const form = h(
      'form',
      { class: 'login-card', novalidate: true },
      h('div', { class: 'login-brand' }, h('div', { class: 'brand-mark' }, 'SOS'), h('div', {}, h('div', { class: 'login-title' }, '一键求助 指挥台'), h('div', { class: 'login-subtitle' }, 'HelpPoint Officer Console'))),
      h('label', { for: 'login-username', class: 'field-label' }, bi({ zh: '用户名', en: 'Username' })),
      this.#username,
      h('label', { for: 'login-password', class: 'field-label' }, bi({ zh: '密码', en: 'Password' })),
      this.#password,
      this.#error,
      this.#submit,
      h('p', { class: 'login-hint' }, bi({ zh: '登录后请保持此页面打开，以便接收求助呼叫。', en: 'Keep this page open after signing in to receive help calls.' })),
    );
    this.#submit.addEventListener('click', () => opts.onGesture());
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.#submitForm(opts);
    });
    this.el = h('div', { class: 'login-screen' }, form);
  }

  async #submitForm(opts: LoginViewOptions): Promise<void> {
    const username = this.#username.value.trim();
    const password = this.#password.value;
    if (!username || !password) {
      this.showError({ zh: '请输入用户名和密码', en: 'Enter your username and password' });
      return;
    }
    this.#submit.disabled = true;
    this.showError(null);
    try {
      await opts.onSubmit(username, password);
    } finally {
      this.#submit.disabled = false;
    }
  }

  showError(label: Bilingual | null, detail = ''): void {
    this.#error.hidden = label === null;
    setText(this.#error, label ? `${label.zh} ${label.en}${detail ? ` (${detail})` : ''}` : '');
    if (label) this.#password.select();
  }

  reset(): void {
    this.#password.value = '';
    this.showError(null);
  }

  focus(): void {
    (this.#username.value ? this.#password : this.#username).focus();
  }
}
