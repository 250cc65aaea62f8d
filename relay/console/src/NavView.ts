import { bi, h, setAttr } from './dom.ts';
import { icon, type IconName } from './icons.ts';

export type Page = 'desk' | 'map' | 'history';

const TABS: { page: Page; icon: IconName; zh: string; en: string }[] = [
  { page: 'desk', icon: 'bell', zh: '值班台', en: 'Duty desk' },
  { page: 'map', icon: 'map', zh: '地图', en: 'Map' },
  { page: 'history', icon: 'history', zh: '呼叫记录', en: 'Call history' },
];

/** The console's pages. Calls keep ringing and the desk keeps its media whichever page is open. */
export class NavView {
  readonly el: HTMLElement;
  readonly #buttons = new Map<Page, HTMLButtonElement>();

  constructor(onSelect: (page: Page) => void) {
    this.el = h('nav', { class: 'nav-tabs', role: 'tablist' });
    for (const tab of TABS) {
      const b = h('button', { type: 'button', class: 'nav-tab', role: 'tab', 'data-testid': `nav-${tab.page}`, 'aria-selected': 'false' }, icon(tab.icon), bi({ zh: tab.zh, en: tab.en }));
      b.addEventListener('click', () => onSelect(tab.page));
      this.#buttons.set(tab.page, b);
      this.el.append(b);
    }
  }

  /** Hides a page the signed-in role may not use (the relay refuses it anyway). */
  setHidden(page: Page, hidden: boolean): void {
    const b = this.#buttons.get(page);
    if (b && b.hidden !== hidden) b.hidden = hidden;
  }

  select(page: Page): void {
    for (const [p, b] of this.#buttons) setAttr(b, 'aria-selected', p === page ? 'true' : 'false');
  }
}
