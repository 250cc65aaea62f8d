import { call, errorOf } from './api.ts';
import { bi, h } from './dom.ts';
import { formatClock } from './format.ts';
import type { CalledBackView, MissedCallView } from './missedCalls.ts';

export async function fetchMissedCalls(): Promise<MissedCallView[]> {
  const { status, json } = await call('GET', '/api/missed-calls');
  if (status !== 200) throw errorOf(status, json);
  return (json as { calls: MissedCallView[] }).calls;
}

export async function markCalledBack(callId: string): Promise<CalledBackView> {
  const { status, json } = await call('POST', `/api/calls/${encodeURIComponent(callId)}/called-back`, {});
  if (status !== 200) throw errorOf(status, json);
  return (json as { calledBack: CalledBackView }).calledBack;
}

/** A press time that is not today shows its date too: a call back the next morning must say which day. */
function pressedLabel(at: number, now: number): string {
  const d = new Date(at);
  const sameDay = d.toDateString() === new Date(now).toDateString();
  return sameDay ? formatClock(at) : `${d.getMonth() + 1}月${d.getDate()}日 ${formatClock(at)}`;
}

/**
 * 待回拨: presses that reached the relay late (the terminal was offline), so
 * no console rang. Each stays until an officer marks it called back.
 */
export class MissedCallsView {
  readonly el: HTMLElement;
  readonly #list = h('ol', { class: 'missed-list' });
  readonly #count = h('span', { class: 'missed-count', 'data-testid': 'missed-count' });
  readonly #empty = h('p', { class: 'panel-empty' }, '没有待回拨的呼叫 No missed calls to call back');
  readonly #onCalledBack: (callId: string) => Promise<void>;
  readonly #busy = new Set<string>();
  #key = '';

  constructor(opts: { onCalledBack: (callId: string) => Promise<void> }) {
    this.#onCalledBack = opts.onCalledBack;
    this.el = h(
      'section',
      { class: 'panel missed', 'data-testid': 'missed-calls', 'data-count': '0' },
      h('h2', { class: 'panel-title' }, bi({ zh: '待回拨', en: 'Missed calls to call back' }), this.#count),
      this.#empty,
      this.#list,
    );
  }

  update(items: MissedCallView[], now: number): void {
    this.el.dataset['count'] = String(items.length);
    this.el.classList.toggle('has-missed', items.length > 0);
    this.#count.textContent = items.length > 0 ? String(items.length) : '';
    this.#empty.hidden = items.length > 0;
    const key = `${new Date(now).toDateString()}|${items.map((m) => `${m.callId}${this.#busy.has(m.callId) ? '*' : ''}`).join(',')}`;
    if (key === this.#key) return;
    this.#key = key;
    this.#list.replaceChildren(...items.map((m) => this.#row(m, now)));
  }

  #row(m: MissedCallView, now: number): HTMLElement {
    const done = h(
      'button',
      { type: 'button', class: 'btn btn-small missed-done', 'data-testid': 'called-back', disabled: this.#busy.has(m.callId) },
      bi({ zh: '已回拨', en: 'Called back' }),
    );
    done.addEventListener('click', () => {
      this.#busy.add(m.callId);
      done.disabled = true;
      void this.#onCalledBack(m.callId).finally(() => {
        this.#busy.delete(m.callId);
        done.disabled = false;
      });
    });
    return h(
      'li',
      { class: 'missed-item', 'data-testid': 'missed-call', 'data-call-id': m.callId, 'data-terminal-id': m.terminalId },
      h(
        'div',
        { class: 'missed-top' },
        h('span', { class: 'missed-id mono' }, m.terminalId),
        h('span', { class: 'missed-time mono', 'data-testid': 'missed-pressed-at', title: `送达 Delivered ${formatClock(m.deliveredAt)}` }, `按下 ${pressedLabel(m.pressedAt, now)}`),
      ),
      h('div', { class: 'missed-name' }, m.terminalName, m.terminalNameEn ? h('span', { class: 'en' }, ` ${m.terminalNameEn}`) : null),
      h('div', { class: 'missed-addr' }, m.address),
      done,
    );
  }
}
