import type { CallView } from './protocolTypes.ts';

/**
 * A system notification for each new waiting call while the console tab is in
 * the background, so an officer on another tab still sees which terminal
 * calls. Permission is asked from a user gesture (the browser requires one).
 */
export class Notifier {
  readonly #shown = new Set<string>();

  requestPermission(): void {
    if (typeof Notification === 'undefined' || Notification.permission !== 'default') return;
    void Notification.requestPermission().catch(() => undefined);
  }

  update(waiting: CallView[], hidden: boolean): void {
    const ids = new Set(waiting.map((c) => c.id));
    for (const id of this.#shown) if (!ids.has(id)) this.#shown.delete(id);
    if (!hidden || typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
    for (const call of waiting) {
      if (this.#shown.has(call.id)) continue;
      this.#shown.add(call.id);
      const t = call.terminal;
      const title = call.kind === 'tamper' ? `防拆报警 Tamper alarm · ${t.id}` : `求助呼叫 Help call · ${t.id}`;
      const n = new Notification(title, { body: `${t.name}\n${t.address}`, tag: `helppoint-${call.id}`, requireInteraction: true });
      n.onclick = () => {
        window.focus();
        n.close();
      };
    }
  }
}
