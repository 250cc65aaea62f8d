import { bi, h, setAttr, setBi, setText } from './dom.ts';
import { formatClock, terminalKindLabel, type Bilingual } from './format.ts';
import type { TerminalRow } from './selectors.ts';

function rowStatus(row: TerminalRow): { key: string; label: Bilingual } {
  if (row.call?.state === 'ringing') return { key: 'ringing', label: { zh: '呼叫中', en: 'Calling' } };
  if (row.call?.kind === 'lookin') return { key: 'lookin', label: { zh: '查看中', en: 'Looking in' } };
  if (row.call?.state === 'answered') return { key: 'in-call', label: { zh: '通话中', en: 'In call' } };
  return row.terminal.online ? { key: 'online', label: { zh: '在线', en: 'Online' } } : { key: 'offline', label: { zh: '离线', en: 'Offline' } };
}

class TerminalRowView {
  readonly el: HTMLElement;
  readonly #lookin: HTMLButtonElement;
  readonly #id = h('span', { class: 'term-id mono' });
  readonly #name = h('span', { class: 'term-name' });
  readonly #nameEn = h('span', { class: 'term-name-en' });
  readonly #status = bi({ zh: '', en: '' }, 'term-status');
  readonly #seen = h('span', { class: 'term-seen' });

  constructor(id: string, onLookin: ((terminalId: string) => void) | null) {
    this.#lookin = h('button', { type: 'button', class: 'btn btn-small btn-lookin', 'data-testid': 'lookin', hidden: true, title: '打开终端摄像头（终端指示灯慢闪，操作记入审计日志） Open the camera (the terminal blinks its light; audited)' }, bi({ zh: '查看', en: 'Look-in' }));
    this.#lookin.addEventListener('click', () => onLookin?.(id));
    this.el = h(
      'li',
      { class: 'term-row', 'data-testid': 'terminal-row', 'data-terminal-id': id },
      h('span', { class: 'status-dot', 'aria-hidden': 'true' }),
      h('div', { class: 'term-main' }, h('div', { class: 'term-line' }, this.#id, this.#name), this.#nameEn),
      h('div', { class: 'term-side' }, this.#status, this.#seen, this.#lookin),
    );
  }

  update(row: TerminalRow, lookin = false): void {
    this.#lookin.hidden = !lookin;
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
  readonly #onLookin: ((terminalId: string) => void) | null;

  constructor(opts: { onLookin?: (terminalId: string) => void } = {}) {
    this.#onLookin = opts.onLookin ?? null;
    this.el = h('aside', { class: 'panel terminals' }, h('h2', { class: 'panel-title' }, bi({ zh: '终端', en: 'Terminals' }), this.#count), this.#empty, this.#list);
  }

  /** `lookin` says which rows offer 查看 Look-in (see lookin.ts canLookIn). */
  update(rows: TerminalRow[], online: number, lookin: (row: TerminalRow) => boolean = () => false): void {
    setText(this.#count, rows.length ? `${online}/${rows.length}` : '');
    this.#empty.hidden = rows.length > 0;
    const seen = new Set<string>();
    const ordered: HTMLElement[] = [];
    for (const row of rows) {
      let view = this.#rows.get(row.terminal.id);
      if (!view) this.#rows.set(row.terminal.id, (view = new TerminalRowView(row.terminal.id, this.#onLookin)));
      view.update(row, lookin(row));
      seen.add(row.terminal.id);
      ordered.push(view.el);
    }
    for (const id of [...this.#rows.keys()]) if (!seen.has(id)) this.#rows.delete(id);
    const current = [...this.#list.children];
    if (current.length !== ordered.length || current.some((el, i) => el !== ordered[i])) this.#list.replaceChildren(...ordered);
  }
}
