import { DispositionView } from './DispositionView.ts';
import { h } from './dom.ts';
import { errorLabel } from './format.ts';
import * as history from './historyApi.ts';
import { HistoryView } from './HistoryView.ts';
import { MapView } from './MapView.ts';
import type { MediaManager } from './MediaManager.ts';
import { NavView, type Page } from './NavView.ts';
import { Notifier } from './Notifier.ts';
import { isMine, ringingCalls, sortedTerminals } from './selectors.ts';
import type { ConsoleState } from './store.ts';
import type { Toasts } from './Toasts.ts';

const codeOf = (e: unknown): string => {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : 'internal';
};
/** Mirrors the relay's calls.read permission. */
const CALL_ROLES: ReadonlySet<string> = new Set(['officer', 'supervisor', 'admin']);
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * The duty-desk parts of the console around the call cards: pages (desk,
 * map, history), the map, the disposition prompt after the officer's call
 * ends, snapshots, mute and background notifications. ConsoleApp feeds it the
 * state on every render.
 */
export class DutyDesk {
  readonly nav: NavView;
  readonly map = new MapView();
  readonly history = new HistoryView();
  readonly disposition: DispositionView;
  readonly notifier = new Notifier();
  readonly #media: MediaManager;
  readonly #toasts: Toasts;
  readonly #mapPage = h('section', { class: 'page page-map', 'data-testid': 'map-page', hidden: true });
  readonly #side = h('div', { class: 'desk-side' });
  /** Calls of this officer whose write-up was already offered (not offered twice). */
  readonly #offered = new Set<string>();
  #root: HTMLElement | null = null;
  #page: Page = 'desk';
  #seenWaiting = new Set<string>();

  constructor(opts: { media: MediaManager; toasts: Toasts }) {
    this.#media = opts.media;
    this.#toasts = opts.toasts;
    this.nav = new NavView((page) => this.show(page));
    this.nav.select('desk');
    this.disposition = new DispositionView({
      onSave: async (callId, d) => {
        await history.saveDisposition(callId, d);
        this.#toasts.show('info', { zh: '处置记录已保存', en: 'Disposition saved' }, 'saved', callId);
      },
      onLater: () => this.disposition.hide(),
    });
  }

  /** The right-hand column of the desk: the map above the session's recent calls. */
  side(recent: HTMLElement): HTMLElement {
    this.#side.replaceChildren(this.map.el, recent);
    return this.#side;
  }

  pages(): HTMLElement[] {
    return [this.#mapPage, this.history.el];
  }

  /** Signed in: back to the desk, and fetch the station's map settings. */
  enter(root: HTMLElement): void {
    this.#root = root;
    this.#offered.clear();
    this.disposition.hide();
    this.show('desk');
    history.dutyConfig().then(
      (cfg) => this.map.setTileUrl(cfg.mapTileUrl),
      () => undefined, // the offline schematic needs nothing from the relay
    );
  }

  show(page: Page): void {
    this.#page = page;
    this.nav.select(page);
    const layout = this.#root?.querySelector<HTMLElement>('main.layout');
    if (layout) layout.hidden = page !== 'desk';
    this.#mapPage.hidden = page !== 'map';
    this.history.el.hidden = page !== 'history';
    if (page === 'map') this.#mapPage.append(this.map.el);
    else this.#side.prepend(this.map.el);
    if (page === 'history') void this.history.show();
    this.#root?.setAttribute('data-page', page);
  }

  render(s: ConsoleState): void {
    // The call history is for the roles that work calls (technicians and field staff see the map only).
    this.nav.setHidden('history', !CALL_ROLES.has(s.user?.role ?? ''));
    const rows = sortedTerminals(s);
    this.map.update(rows);
    this.history.setTerminals(rows.map((r) => r.terminal));
    const waiting = ringingCalls(s);
    this.notifier.update(waiting, document.hidden);
    // A new call brings the officer back from the history to the desk (the map page shows it too).
    const fresh = waiting.some((c) => !this.#seenWaiting.has(c.id));
    this.#seenWaiting = new Set(waiting.map((c) => c.id));
    if (fresh && this.#page === 'history') this.show('desk');
    for (const { call } of Object.values(s.calls)) {
      if (call.state !== 'ended' || !isMine(s, call) || this.#offered.has(call.id)) continue;
      this.#offered.add(call.id);
      this.disposition.show(call.id, `${call.terminal.id} ${call.terminal.name}`);
    }
  }

  toggleMute(callId: string): void {
    const m = this.#media.get(callId);
    if (m) m.setMuted(!m.muted);
  }

  snapshot(callId: string, jpeg: Blob): void {
    history.uploadSnapshot(callId, jpeg).then(
      () => this.#toasts.show('info', { zh: '截图已保存', en: 'Snapshot saved' }, 'saved', callId),
      (error: unknown) => this.#toasts.show('error', errorLabel(codeOf(error)), codeOf(error), messageOf(error)),
    );
  }
}
