import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { RawPeer, startTestRelay } from '../support/relayHarness.ts';
import { launchChromium, signInConsole } from '../support/browser.ts';
import { enrolTerminals, signedHello } from '../support/terminalKeys.ts';
import type { DeviceKey } from '../../kiosk/src/enrol/deviceKey.ts';

/**
 * 待回拨 in Chromium: presses delivered late from terminals' outboxes — one
 * while the officer is signed in, one while signed out — are both on the
 * desk's list after login, with location and press time; marking one called
 * back removes it from every console.
 */
let relay: Awaited<ReturnType<typeof startTestRelay>>;
let browser: Browser;
let keys: Map<string, DeviceKey>;

beforeAll(async () => {
  relay = await startTestRelay();
  keys = enrolTerminals(relay.relay, ['XC-KG-002', 'XC-HT-012']);
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await relay?.close();
});

async function latePress(terminalId: string, requestId: string, pressedAt: number): Promise<string> {
  const terminal = await RawPeer.open(`${relay.url.replace('http', 'ws')}/ws/terminal`);
  try {
    expect((await signedHello(terminal, 1, terminalId, keys.get(terminalId)!))['ok']).toBe(true);
    const res = await terminal.request(2, 'help.request', { requestId, pressedAt, late: true });
    expect(res).toMatchObject({ ok: true, data: { missed: true } });
    return (res['data'] as { callId: string }).callId;
  } finally {
    terminal.close();
  }
}
const rows = (page: Page) => page.$$eval('[data-testid="missed-call"]', (els) => els.map((e) => e.getAttribute('data-terminal-id')));
const row = (callId: string) => `[data-testid="missed-call"][data-call-id="${callId}"]`;

describe('missed calls to call back', () => {
  it('shows late presses from before and after sign-in; called back leaves every console', async () => {
    const officer1 = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const officer2 = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await signInConsole(officer1, relay.url, 'officer1', 'demo-officer1');
    await signInConsole(officer2, relay.url, 'officer2', 'demo-officer2');
    await officer1.waitForSelector('[data-testid="missed-calls"][data-count="0"]');

    // Delivered while officer1 is signed in: appears at once, no ringing.
    const pressedA = Date.now() - 7 * 60_000;
    const a = await latePress('XC-KG-002', 'late-e2e-0001', pressedA);
    await officer1.waitForSelector(row(a));
    expect(await officer1.$('[data-testid="call-card"][data-state="ringing"]')).toBeNull();

    // Delivered while officer1 is signed out.
    await officer1.click('[data-testid="logout"]');
    await officer1.waitForSelector('#login-username');
    const pressedB = Date.now() - 3 * 60_000;
    const b = await latePress('XC-HT-012', 'late-e2e-0002', pressedB);
    await officer2.waitForSelector(row(b));

    await signInConsole(officer1, relay.url, 'officer1', 'demo-officer1');
    await officer1.waitForSelector(row(b));
    expect(await rows(officer1)).toEqual(['XC-HT-012', 'XC-KG-002']); // latest press first
    const text = await officer1.innerText(row(a));
    expect(text).toContain('XC-KG-002');
    expect(text).toContain('北京'); // the address
    const d = new Date(pressedA);
    const clock = [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
    expect(await officer1.innerText(`${row(a)} [data-testid="missed-pressed-at"]`)).toContain(clock);
    expect(await officer1.getAttribute('[data-testid="missed-calls"]', 'data-count')).toBe('2');

    // officer1 called the first resident back: gone from both consoles, and after a reload.
    await officer1.click(`${row(a)} [data-testid="called-back"]`);
    await officer1.waitForSelector(row(a), { state: 'detached' });
    await officer2.waitForSelector(row(a), { state: 'detached', timeout: 5000 });
    expect(await rows(officer2)).toEqual(['XC-HT-012']);
    await officer2.reload();
    await officer2.waitForSelector(row(b));
    expect(await rows(officer2)).toEqual(['XC-HT-012']);

    // An officer on the map page still hears a live call and sees the ringing banner.
    await officer2.click('[data-testid="nav-map"]');
    await officer2.waitForSelector('[data-testid="map-page"]:not([hidden])');
    expect(await officer2.isVisible('[data-testid="missed-calls"]')).toBe(false);
    const terminal = await RawPeer.open(`${relay.url.replace('http', 'ws')}/ws/terminal`);
    expect((await signedHello(terminal, 1, 'XC-KG-002', keys.get('XC-KG-002')!))['ok']).toBe(true);
    expect(await terminal.request(2, 'help.request', { requestId: 'live-e2e-0003' })).toMatchObject({ ok: true });
    await officer2.waitForSelector('[data-testid="ringing-banner"]:not([hidden])');
    const ring = await officer2.evaluate(() => (window as unknown as { __helppoint: { state: () => { ringtone: { mode: string } } } }).__helppoint.state().ringtone.mode);
    expect(ring).not.toBe('off');
    await officer2.click('[data-testid="ringing-banner"]');
    await officer2.waitForSelector('[data-testid="call-card"][data-state="ringing"]');
    expect(await officer2.getAttribute('#app', 'data-page')).toBe('desk');
    expect(await officer2.isVisible('[data-testid="ringing-banner"]')).toBe(false);
    terminal.close();
    await officer1.close();
    await officer2.close();
  });
});
