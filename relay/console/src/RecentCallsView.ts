import { h } from './dom.ts';
import { endReasonLabel, formatClock, formatDuration } from './format.ts';
import type { CallEntry } from './store.ts';

function outcome(entry: CallEntry, myUserId: number | null): { cls: string; text: string } {
  const { call } = entry;
  if (call.state === 'ringing') return { cls: 'ringing', text: '呼叫中 Ringing' };
  if (call.state === 'answered') {
    const who = call.answeredBy?.id === myUserId ? '本人 me' : (call.answeredBy?.displayName ?? '');
    return { cls: 'answered', text: `通话中 In call · ${who}` };
  }
  const r = endReasonLabel(call.endReason);
  // Pressed while the relay was unreachable: nobody has spoken to this resident yet.
  if (call.endReason === 'missed') return { cls: 'ended missed', text: `${r.zh} ${r.en}` };
  return { cls: 'ended', text: `${r.zh} ${r.en}` };
}

/** This session's calls, newest first: what happened while the officer looked away. */
export class RecentCallsView {
  readonly el: HTMLElement;
  readonly #list = h('ol', { class: 'recent-list', 'data-testid': 'recent-calls' });
  readonly #empty = h('p', { class: 'panel-empty' }, '本次登录暂无呼叫 No calls this session');
  #key = '';

  constructor() {
    this.el = h('aside', { class: 'panel recent' }, h('h2', { class: 'panel-title' }, h('span', { class: 'bi' }, h('span', { class: 'zh' }, '最近呼叫'), ' ', h('span', { class: 'en' }, 'Recent calls'))), this.#empty, this.#list);
  }

  update(entries: CallEntry[], myUserId: number | null, now: number): void {
    this.#empty.hidden = entries.length > 0;
    // Durations tick every second only for open calls; rebuild when anything visible changed.
    const key = entries.map((e) => `${e.call.id}:${e.call.state}:${e.call.answeredBy?.id ?? ''}:${e.call.endReason ?? ''}`).join('|') + (entries.some((e) => e.call.state !== 'ended') ? `@${Math.floor(now / 1000)}` : '');
    if (key === this.#key) return;
    this.#key = key;
    this.#list.replaceChildren(
      ...entries.map((entry) => {
        const { call } = entry;
        const o = outcome(entry, myUserId);
        const end = call.endedAt ?? (call.state === 'ended' ? (entry.endedSeenAt ?? now) : now);
        const li = h(
          'li',
          { class: `recent-item ${o.cls}`, 'data-testid': 'recent-call', 'data-call-id': call.id, 'data-state': call.state, 'data-reason': call.endReason ?? null },
          h('div', { class: 'recent-top' }, h('span', { class: 'recent-time mono' }, formatClock(call.pressedAt ?? call.createdAt)), h('span', { class: 'recent-id mono' }, call.terminal.id), h('span', { class: 'recent-dur mono' }, formatDuration(end - call.createdAt))),
          h('div', { class: 'recent-name' }, call.terminal.name),
          h('div', { class: 'recent-outcome' }, o.text),
        );
        return li;
      }),
    );
  }
}
