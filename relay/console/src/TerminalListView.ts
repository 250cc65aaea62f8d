import { bi, h, setAttr, setBi, setText } from './dom.ts';
import { formatClock, terminalKindLabel, type Bilingual } from './format.ts';
import type { TerminalRow } from './selectors.ts';

function rowStatus(row: TerminalRow): { key: string; label: Bilingual } {
  if (row.call?.state === 'ringing') return { key: 'ringing', label: { zh: '呼叫中', en: 'Calling' } };
  if (row.call?.state === 'answered') return { key: 'in-call', label: { zh: '通话中', en: 'In call' } };
  return row.terminal.online ? { key: 'online', label: { zh: '在线', en: 'Online' } } : { key: 'offline', label: { zh: '离线', en: 'Offline' } };
}

class TerminalRowView {
  readonly el: HTMLElement;
  readonly #id = h('span', { class: 'term-id mono' });
  readonly #name = h('span', { class: 'term-name' });
  readonly #nameEn = h('span', { class: 'term-name-en' });
  readonly #status = bi({ zh: '', en: '' }, 'term-status');
  readonly #seen = h('span', { class: 'term-seen' });

  constructor(id: string) {
    this.el = h(
      'li',
      { class: 'term-row', 'data-testid': 'terminal-row', 'data-terminal-id': id },
      h('span', { class: 'status-dot', 'aria-hidden': 'true' }),
      h('div', { class: 'term-main' }, h('div', { class: 'term-line' }, this.#id, this.#name), this.#nameEn),
      h('div', { class: 'term-side' }, this.#status, this.#seen),
    );
  }

  update(row: TerminalRow): void {
    const t = row.terminal;
    const status = rowStatus(row);
    setAttr(this.el, 'data-online', String(t.online));
    setAttr(this.el, 'data-status', status.key);
    setAttr(this.el, 'title', `${t.address}\n${terminalKindLabel(t.kind).zh} · ${t.hutong}${t.notes ? `\n${t.notes}` : ''}`);
    setText(this.#id, t.id);
    setText(this.#name, t.name);
    setText(this.#nameEn, t.nameEn);
    setBi(this.#status, status.label);
    setText(this.#seen, !t.online && t.lastSeenAt ? `最后 last ${formatClock(t.lastSeenAt).slice(0, 5)}` : '');
    setAttr(this.#seen, 'title', !t.online && t.lastSeenAt ? `最后在线 Last seen ${new Date(t.lastSeenAt).toLocaleString('zh-CN')}` : null);
  }
}

/** The left column: every terminal, calling ones on top. */
export class TerminalListView {
  readonly el: HTMLElement;
  readonly #list = h('ul', { class: 'term-list', 'data-testid': 'terminal-list' });
  readonly #count = h('span', { class: 'panel-count' });
  readonly #empty = h('p', { class: 'panel-empty' }, bi({ zh: '暂无终端', en: 'No terminals yet' }));
  readonly #rows = new Map<string, TerminalRowView>();

  constructor() {
    this.el = h('aside', { class: 'panel terminals' }, h('h2', { class: 'panel-title' }, bi({ zh: '终端', en: 'Terminals' }), this.#count), this.#empty, this.#list);
  }

  update(rows: TerminalRow[], online: number): void {
    setText(this.#count, rows.length ? `${online}/${rows.length}` : '');
    this.#empty.hidden = rows.length > 0;
    const seen = new Set<string>();
    const ordered: HTMLElement[] = [];
    for (const row of rows) {
      let view = this.#rows.get(row.terminal.id);
      if (!view) this.#rows.set(row.terminal.id, (view = new TerminalRowView(row.terminal.id)));
      view.update(row);
      seen.add(row.terminal.id);
      ordered.push(view.el);
    }
    for (const id of [...this.#rows.keys()]) if (!seen.has(id)) this.#rows.delete(id);
    const current = [...this.#list.children];
    if (current.length !== ordered.length || current.some((el, i) => el !== ordered[i])) this.#list.replaceChildren(...ordered);
  }
}
