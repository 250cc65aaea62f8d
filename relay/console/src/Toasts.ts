import { h } from './dom.ts';
import type { Bilingual } from './format.ts';

const SHOW_MS = 6_000;

/** Small stacked notices for failed requests; each fades on its own or on click. */
export class Toasts {
  readonly el = h('div', { class: 'toasts', 'aria-live': 'assertive' });

  show(kind: 'error' | 'info', label: Bilingual, code?: string, detail?: string): void {
    const toast = h(
      'div',
      { class: `toast toast-${kind}`, role: 'status', 'data-testid': 'toast', 'data-code': code ?? null },
      h('div', { class: 'toast-title' }, `${label.zh} ${label.en}`),
      code || detail ? h('div', { class: 'toast-detail mono' }, [code, detail].filter(Boolean).join(' — ')) : null,
    );
    const remove = (): void => toast.remove();
    toast.addEventListener('click', remove);
    setTimeout(remove, SHOW_MS);
    this.el.append(toast);
    while (this.el.children.length > 4) this.el.firstElementChild?.remove();
  }
}
