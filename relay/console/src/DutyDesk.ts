import { DispositionView } from './DispositionView.ts';
import { h } from './dom.ts';
import { errorLabel } from './format.ts';
import * as history from './historyApi.ts';
import { HistoryView } from './HistoryView.ts';
import { MapView } from './MapView.ts';
import type { MediaManager } from './MediaManager.ts';
import type { Page } from './navModel.ts';
import { Notifier } from './Notifier.ts';
import { isMine, ringingCalls, sortedTerminals } from './selectors.ts';
import type { ConsoleState } from './store.ts';
import type { Toasts } from './Toasts.ts';

const codeOf = (e: unknown): string => {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : 'internal';
};
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * The duty-desk parts of the console around the call cards: the map (on the
 * desk's side column, or its own page), the disposition prompt after the officer's call
 * ends, snapshots, mute and background notifications. ConsoleApp feeds it the
 * state on every render.
 */
export class DutyDesk {
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
  readonly #goToDesk: () => void;
  #page: Page | null = null;
  #seenWaiting = new Set<string>();

  constructor(opts: { media: MediaManager; toasts: Toasts; goToDesk: () => void }) {
    this.#media = opts.media;
    this.#toasts = opts.toasts;
    this.#goToDesk = opts.goToDesk;
    this.disposition = new DispositionView({
      onSave: async (callId, d) => {
        await history.saveDisposition(callId, d);
        this.#toasts.show('info', { zh: '处置记录已保存', en: 'Disposition saved' }, 'saved', callId);
      },
      onLater: () => this.disposition.hide(),
    });
  }

  /** The right-hand column of the desk: the map above the panels given (missed calls, recent calls). */
  side(...below: HTMLElement[]): HTMLElement {
    this.#side.replaceChildren(this.map.el, ...below);
    return this.#side;
  }

  get mapPage(): HTMLElement {
    return this.#mapPage;
  }

  /** Signed in: fetch the station's map settings. */
  enter(): void {
    this.#offered.clear();
    this.disposition.hide();
    history.dutyConfig().then(
      (cfg) => this.map.setTileUrl(cfg.mapTileUrl),
      () => undefined, // the offline schematic needs nothing from the relay
    );
  }

  /** The navigation opened a page: the one map element moves to the map page and back to the desk's side. */
  pageChanged(page: Page): void {
    this.#page = page;
    if (page === 'map') this.#mapPage.append(this.map.el);
    else if (this.map.el.parentElement !== this.#side) this.#side.prepend(this.map.el);
    if (page === 'history') void this.history.show();
  }

  render(s: ConsoleState): void {
    const rows = sortedTerminals(s);
    this.map.update(rows);
    this.history.setTerminals(rows.map((r) => r.terminal));
    const waiting = ringingCalls(s);
    this.notifier.update(waiting, document.hidden);
    // A new call brings the officer back from the history to the desk (the map page shows it too).
    const fresh = waiting.some((c) => !this.#seenWaiting.has(c.id));
    this.#seenWaiting = new Set(waiting.map((c) => c.id));
    if (fresh && this.#page === 'history') this.#goToDesk();
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
