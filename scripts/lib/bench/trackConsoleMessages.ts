import type { Page } from 'playwright-core';

/**
 * Stamps, in the console page, when relay messages arrive on its sockets
 * (window.__wsSeen: message type → Date.now() of its first arrival since the
 * last reset), so a benchmark can split "the relay sent it" from "the page
 * drew it"; and when the page first sends a message of a watched type
 * (stamped as `>type`, e.g. `>rtc.resumeConsumer`), so the page's own share
 * between an arrival and its answer shows. Only the type is read from each
 * frame (a cheap indexOf), so the page does no more work than before.
 * Install before the page loads.
 */
export async function trackConsoleMessages(page: Page, types: readonly string[]): Promise<void> {
  await page.addInitScript((watched: string[]) => {
    const seen: Record<string, number> = {};
    (window as unknown as { __wsSeen: Record<string, number> }).__wsSeen = seen;
    const Native = window.WebSocket;
    const Tracked = function (this: unknown, ...a: ConstructorParameters<typeof WebSocket>) {
      const ws = new Native(...a);
      ws.addEventListener('message', (e: MessageEvent) => {
        if (typeof e.data !== 'string') return;
        for (const t of watched) if (seen[t] === undefined && e.data.includes(`"type":"${t}"`)) seen[t] = Date.now();
      });
      const send = ws.send.bind(ws);
      ws.send = (data: Parameters<WebSocket["send"]>[0]) => {
        if (typeof data === 'string') for (const t of watched) if (seen[`>${t}`] === undefined && data.includes(`"type":"${t}"`)) seen[`>${t}`] = Date.now();
        send(data);
      };
      return ws;
    } as unknown as typeof WebSocket;
    Tracked.prototype = Native.prototype;
    Object.setPrototypeOf(Tracked, Native);
    window.WebSocket = Tracked;
  }, [...types]);
}
