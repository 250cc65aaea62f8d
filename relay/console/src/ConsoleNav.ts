import { bi, h, setAttr } from './dom.ts';
import { icon } from './icons.ts';
import { landingPage, pageFromHash, visibleTabs, type Page } from './navModel.ts';

export interface PageDef {
  el: HTMLElement;
  /** Runs each time the page is opened (refresh a list, move the map, route the fleet page). */
  onShow?: () => void;
}

/**
 * The one navigation bar under the header and the pages behind it. Only the
 * pages the signed-in role's permissions allow get a tab (the relay refuses
 * the rest anyway). Pages are hidden, never torn down, so calls keep ringing
 * and the desk keeps its media whichever page is open.
 */
export class ConsoleNav {
  readonly el = h('nav', { class: 'nav-tabs', role: 'tablist', 'data-testid': 'nav' });
  readonly #pages: Record<Page, PageDef>;
  readonly #root: HTMLElement;
  readonly #onChange: (page: Page) => void;
  #allowed = new Set<Page>();
  #current: Page | null = null;

  constructor(opts: { root: HTMLElement; pages: Record<Page, PageDef>; onChange: (page: Page) => void }) {
    this.#root = opts.root;
    this.#pages = opts.pages;
    this.#onChange = opts.onChange;
    for (const p of Object.values(this.#pages)) p.el.hidden = true;
    // #/fleet/<id> links inside the fleet page, and the browser's back button.
    window.addEventListener('hashchange', () => {
      const page = pageFromHash(location.hash);
      if (page && this.#allowed.has(page)) this.show(page);
    });
  }

  get current(): Page | null {
    return this.#current;
  }

  /** Builds the tabs for the signed-in user's permissions and opens their landing page. */
  enter(permissions: readonly string[]): void {
    const tabs = visibleTabs(permissions);
    this.#allowed = new Set(tabs.map((t) => t.page));
    this.el.replaceChildren(
      ...tabs.map((t) => {
        const b = h('button', { type: 'button', class: 'nav-tab', role: 'tab', 'data-testid': `nav-${t.page}`, 'data-tab': t.page, 'aria-selected': 'false' }, t.icon ? icon(t.icon) : null, bi({ zh: t.zh, en: t.en }));
        b.addEventListener('click', () => this.open(t.page));
        return b;
      }),
    );
    this.show(landingPage(permissions, location.hash));
  }

  /** A click on a tab: the address follows (without a history entry per click). */
  open(page: Page): void {
    history.replaceState(null, '', `#/${page}`);
    this.show(page);
  }

  show(page: Page): void {
    if (!this.#allowed.has(page)) return;
    this.#current = page;
    for (const b of this.el.querySelectorAll<HTMLElement>('.nav-tab')) setAttr(b, 'aria-selected', b.dataset['tab'] === page ? 'true' : 'false');
    for (const [p, def] of Object.entries(this.#pages)) def.el.hidden = p !== page;
    this.#root.dataset['page'] = page;
    this.#pages[page].onShow?.();
    this.#onChange(page);
  }

  reset(): void {
    this.#allowed.clear();
    this.#current = null;
    this.el.replaceChildren();
    for (const p of Object.values(this.#pages)) p.el.hidden = true;
    delete this.#root.dataset['page'];
  }
}
