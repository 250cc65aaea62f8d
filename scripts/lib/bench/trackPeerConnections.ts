import type { Page } from 'playwright-core';

/**
 * Keeps every RTCPeerConnection the console makes reachable as `window.__pcs`,
 * so a benchmark can read the receive statistics (frames, freezes, concealment).
 * Must run before the console's script: it wraps the constructor.
 */
export async function trackPeerConnections(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    const pcs: RTCPeerConnection[] = [];
    (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs = pcs;
    const Tracked = function (this: unknown, ...a: ConstructorParameters<typeof RTCPeerConnection>) {
      const pc = new Native(...a);
      pcs.push(pc);
      return pc;
    } as unknown as typeof RTCPeerConnection;
    Tracked.prototype = Native.prototype;
    Object.setPrototypeOf(Tracked, Native);
    window.RTCPeerConnection = Tracked;
  });
}
