import { CallCardView, type CardActions, type CardContext } from './CallCardView.ts';
import { bi, h, setText } from './dom.ts';
import { icon } from './icons.ts';
import type { CardModel } from './selectors.ts';

/** The main area: one card per call worth showing, or a calm idle panel. */
export class CallAreaView {
  readonly el: HTMLElement;
  readonly #cards = new Map<string, CallCardView>();
  readonly #list = h('div', { class: 'call-list', 'data-testid': 'call-list' });
  readonly #idle: HTMLElement;
  readonly #idleDetail = h('p', { class: 'idle-detail' });
  readonly #actions: CardActions;

  constructor(actions: CardActions) {
    this.#actions = actions;
    this.#idle = h(
      'div',
      { class: 'idle', 'data-testid': 'idle' },
      h('div', { class: 'idle-icon' }, icon('check')),
      h('div', { class: 'idle-title' }, bi({ zh: '暂无求助呼叫', en: 'No active calls' })),
      this.#idleDetail,
    );
    this.el = h('section', { class: 'calls', 'aria-live': 'polite' }, this.#idle, this.#list);
  }

  /** The terminal microphone's level and voice activity on the call's card, if it is shown. */
  terminalAudio(callId: string, activity: { inputDbfs: number; speaking: boolean }): void {
    this.#cards.get(callId)?.setTerminalAudio(activity);
  }

  update(cards: CardModel[], context: (callId: string) => Omit<CardContext, 'compact'>, idleText: string): void {
    this.#idle.hidden = cards.length > 0;
    setText(this.#idleDetail, idleText);
    const seen = new Set<string>();
    const ordered: HTMLElement[] = [];
    for (const [index, model] of cards.entries()) {
      const id = model.entry.call.id;
      let view = this.#cards.get(id);
      if (!view) this.#cards.set(id, (view = new CallCardView(id, this.#actions)));
      // Only the top live call gets the full layout; the rest stay compact so their buttons remain on screen.
      view.update(model, { ...context(id), compact: index > 0 || model.role === 'other' || model.role === 'ended' });
      seen.add(id);
      ordered.push(view.el);
    }
    for (const [id, view] of this.#cards) {
      if (seen.has(id)) continue;
      view.destroy();
      this.#cards.delete(id);
    }
    const current = [...this.#list.children];
    if (current.length !== ordered.length || current.some((el, i) => el !== ordered[i])) {
      // Moving a playing <video> restarts it, so only reorder when the order really changed.
      ordered.forEach((el, i) => {
        if (this.#list.children[i] !== el) this.#list.insertBefore(el, this.#list.children[i] ?? null);
      });
    }
  }
}
