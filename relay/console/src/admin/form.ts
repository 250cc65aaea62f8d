import { bi, h } from '../dom.ts';
import type { Bilingual } from '../format.ts';

/** A labelled input for the admin forms; `name` doubles as the test id. */
export function field(label: Bilingual, input: HTMLInputElement | HTMLSelectElement): HTMLElement {
  return h('label', { class: 'admin-field' }, h('span', { class: 'field-label' }, bi(label)), input);
}

export function input(name: string, attrs: Record<string, string | boolean> = {}): HTMLInputElement {
  return h('input', { name, 'data-testid': name, type: 'text', ...attrs });
}

export function select(name: string, options: [string, Bilingual][]): HTMLSelectElement {
  return h('select', { name, 'data-testid': name }, ...options.map(([value, label]) => h('option', { value }, `${label.zh} ${label.en}`)));
}

export function button(testId: string, label: Bilingual, onClick: () => void, cls = 'btn btn-small'): HTMLButtonElement {
  const b = h('button', { type: 'button', class: cls, 'data-testid': testId }, bi(label));
  b.addEventListener('click', onClick);
  return b;
}

export const ROLE_LABELS: Record<string, Bilingual> = {
  officer: { zh: '值班民警', en: 'Officer' },
  supervisor: { zh: '带班领导', en: 'Supervisor' },
  technician: { zh: '运维技术员', en: 'Technician' },
  field: { zh: '社区民警', en: 'Field staff' },
  admin: { zh: '管理员', en: 'Admin' },
  responder: { zh: '处警人员', en: 'Responder' },
};

export function time(ms: number | null): string {
  if (ms === null) return '—';
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}
