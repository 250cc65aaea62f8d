import { bi, h } from '../dom.ts';
import { adminApi, type AuditEntry } from './adminApi.ts';
import { button, time } from './form.ts';

/** Admins read who did what: privileged actions and refused attempts, newest first. */
export class AuditView {
  readonly el: HTMLElement;
  readonly #rows = h('tbody', {});
  readonly #more: HTMLButtonElement;
  readonly #onError: (error: unknown) => void;
  #oldest: number | undefined;

  constructor(opts: { onError: (error: unknown) => void }) {
    this.#onError = opts.onError;
    this.#more = button('audit-more', { zh: '更早的记录', en: 'Older entries' }, () => void this.#load(false));
    this.el = h(
      'section',
      { class: 'admin-screen', 'data-testid': 'audit-admin' },
      h('h2', { class: 'admin-title' }, bi({ zh: '审计日志', en: 'Audit log' })),
      h('table', { class: 'admin-table' }, h('thead', {}, h('tr', {}, ...['时间 Time', '操作者 Actor', '操作 Action', '对象 Target', '结果 Outcome', '详情 Detail'].map((t) => h('th', {}, t)))), this.#rows),
      this.#more,
    );
  }

  refresh(): Promise<void> {
    return this.#load(true);
  }

  async #load(fromStart: boolean): Promise<void> {
    try {
      const entries = await adminApi.audit(fromStart ? undefined : this.#oldest);
      const rows = entries.map((e) => this.#row(e));
      if (fromStart) this.#rows.replaceChildren(...rows);
      else this.#rows.append(...rows);
      this.#oldest = entries.at(-1)?.id ?? this.#oldest;
      this.#more.hidden = entries.length < 100;
    } catch (error) {
      this.#onError(error);
    }
  }

  #row(e: AuditEntry): HTMLElement {
    return h(
      'tr',
      { 'data-testid': 'audit-row', 'data-action': e.action, 'data-outcome': e.outcome },
      h('td', { class: 'admin-muted' }, time(e.at)),
      h('td', {}, e.actor, e.remote ? h('div', { class: 'admin-muted mono' }, e.remote) : null),
      h('td', { class: 'mono' }, e.action),
      h('td', { class: 'mono' }, e.target ?? '—'),
      h('td', {}, h('span', { class: `admin-badge ${e.outcome === 'ok' ? 'admin-badge-enrolled' : 'admin-badge-revoked'}` }, bi(e.outcome === 'ok' ? { zh: '完成', en: 'Done' } : { zh: '被拒绝', en: 'Refused' }))),
      h('td', { class: 'mono admin-muted' }, e.detail ? JSON.stringify(e.detail) : ''),
    );
  }
}
