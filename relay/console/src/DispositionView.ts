import { INCIDENT_TYPES, INCIDENT_TYPE_LABELS, OUTCOMES, OUTCOME_LABELS, DISPOSITION_NOTES_MAX } from '@helppoint/shared/runtime';
import type { IncidentType, Outcome } from '@helppoint/shared/runtime';
import { bi, h, setText } from './dom.ts';
import type { Disposition } from './historyApi.ts';

function options<T extends string>(values: readonly T[], labels: Record<T, { zh: string; en: string }>): HTMLOptionElement[] {
  return [h('option', { value: '' }, '— 请选择 Choose —'), ...values.map((v) => h('option', { value: v }, `${labels[v].zh} ${labels[v].en}`))];
}

/**
 * The write-up after a call: incident type, outcome, notes, whether officers
 * were sent. Shown to the officer who took the call as soon as it ends; it can
 * also be filled in later from the call history.
 */
export class DispositionView {
  readonly el: HTMLFormElement;
  readonly #title = h('h3', {});
  readonly #type = h('select', { name: 'incidentType', 'data-testid': 'disposition-type', required: true }, ...options(INCIDENT_TYPES, INCIDENT_TYPE_LABELS));
  readonly #outcome = h('select', { name: 'outcome', 'data-testid': 'disposition-outcome', required: true }, ...options(OUTCOMES, OUTCOME_LABELS));
  readonly #notes = h('textarea', { name: 'notes', rows: 3, maxlength: DISPOSITION_NOTES_MAX, 'data-testid': 'disposition-notes' });
  readonly #dispatched = h('input', { type: 'checkbox', name: 'dispatched', 'data-testid': 'disposition-dispatched' });
  readonly #error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  readonly #save = h('button', { type: 'submit', class: 'btn btn-answer', 'data-testid': 'disposition-save' }, bi({ zh: '保存', en: 'Save' }));
  #callId: string | null = null;

  constructor(opts: { onSave: (callId: string, d: Disposition) => Promise<void>; onLater: (callId: string) => void }) {
    const later = h('button', { type: 'button', class: 'btn btn-ghost', 'data-testid': 'disposition-later' }, bi({ zh: '稍后填写', en: 'Later' }));
    this.el = h(
      'form',
      { class: 'disposition', 'data-testid': 'disposition', hidden: true },
      this.#title,
      h('label', { for: 'disp-type' }, bi({ zh: '事件类型', en: 'Incident type' })),
      this.#type,
      h('label', {}, bi({ zh: '处置结果', en: 'Outcome' })),
      this.#outcome,
      h('label', {}, bi({ zh: '已派警', en: 'Dispatched' })),
      h('span', {}, this.#dispatched),
      h('label', {}, bi({ zh: '备注', en: 'Notes' })),
      this.#notes,
      this.#error,
      h('div', { class: 'disposition-actions' }, later, this.#save),
    );
    this.#type.id = 'disp-type';
    later.addEventListener('click', () => {
      if (this.#callId) opts.onLater(this.#callId);
    });
    this.el.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const callId = this.#callId;
      if (!callId) return;
      if (!this.#type.value || !this.#outcome.value) {
        this.#showError('请选择事件类型和处置结果 Choose an incident type and an outcome');
        return;
      }
      const d: Disposition = {
        incidentType: this.#type.value as IncidentType,
        outcome: this.#outcome.value as Outcome,
        notes: this.#notes.value,
        dispatched: this.#dispatched.checked,
      };
      this.#save.disabled = true;
      opts.onSave(callId, d).then(
        () => this.hide(),
        (error: unknown) => this.#showError(`${(error as { code?: string }).code ?? 'error'}: ${error instanceof Error ? error.message : String(error)}`),
      ).finally(() => {
        this.#save.disabled = false;
      });
    });
  }

  get callId(): string | null {
    return this.#callId;
  }

  show(callId: string, title: string, current: Disposition | null = null): void {
    if (this.#callId === callId && !this.el.hidden) return;
    this.#callId = callId;
    this.el.dataset['callId'] = callId;
    setText(this.#title, `处置记录 Disposition · ${title}`);
    this.#type.value = current?.incidentType ?? '';
    this.#outcome.value = current?.outcome ?? '';
    this.#notes.value = current?.notes ?? '';
    this.#dispatched.checked = current?.dispatched ?? false;
    this.#error.hidden = true;
    this.el.hidden = false;
  }

  hide(): void {
    this.#callId = null;
    this.el.hidden = true;
  }

  #showError(text: string): void {
    setText(this.#error, text);
    this.#error.hidden = false;
  }
}
