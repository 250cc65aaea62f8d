import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestRelay } from '../support/relayHarness.ts';
import { launchChromium, signInConsole } from '../support/browser.ts';

/** Sign-in, sign-out and roles as people see them in the console (Chromium, demo accounts). */
let relay: Awaited<ReturnType<typeof startTestRelay>>;
let browser: Browser;

beforeAll(async () => {
  relay = await startTestRelay({ loginLimits: { perAccount: 3, perAddress: 100, windowMs: 60_000 } });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await relay?.close();
});

const tabsOf = (page: import('playwright-core').Page) => page.$$eval('[data-testid="nav"] [data-tab]', (els) => els.map((e) => (e as HTMLElement).dataset['tab']));

describe('console roles in the browser', () => {
  it('each role sees only the screens it may use', async () => {
    const expected: Record<string, [string, string[], string]> = {
      officer1: ['demo-officer1', ['desk', 'map', 'history', 'fleet', 'password'], 'desk'],
      tech: ['demo-tech', ['fleet', 'terminals', 'updates', 'password'], 'terminals'],
      admin: ['demo-admin', ['desk', 'map', 'history', 'report', 'fleet', 'terminals', 'updates', 'accounts', 'audit', 'password'], 'desk'],
    };
    for (const [user, [password, tabs, landing]] of Object.entries(expected)) {
      const page = await browser.newPage();
      await signInConsole(page, relay.url, user, password);
      await page.waitForSelector('[data-testid="nav-password"]');
      expect(await tabsOf(page), user).toEqual(tabs);
      expect(await page.getAttribute('#app', 'data-page'), user).toBe(landing);
      expect(await page.getAttribute(`[data-testid="nav-${landing}"]`, 'aria-selected')).toBe('true');
      await page.close();
    }
    // Field staff take no calls: on a phone they land on the fleet page, with the navigation (fleet + password).
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await page.goto(`${relay.url}/`);
    await page.fill('#login-username', 'field');
    await page.fill('#login-password', 'demo-field');
    await page.click('#login-submit');
    await page.waitForSelector('[data-testid="fleet-list"] [data-testid="fleet-row"]');
    expect(await tabsOf(page)).toEqual(['fleet', 'password']);
    expect(await page.getAttribute('#app', 'data-page')).toBe('fleet');
    expect(await page.isVisible('[data-testid="nav-password"]')).toBe(true);
    expect(await page.$('[data-testid="answer"]')).toBeNull();
    expect(await page.isVisible('[data-testid="missed-calls"]')).toBe(false);
    // the whole navigation fits the phone's width or scrolls inside itself, never the page
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.click('[data-testid="nav-password"]');
    await page.waitForSelector('[data-testid="fleet-list"]', { state: 'hidden' });
    await page.close();
  });

  it('sign-out returns to the login screen and a reload stays there', async () => {
    const page = await browser.newPage();
    await signInConsole(page, relay.url, 'officer1', 'demo-officer1');
    await page.click('[data-testid="logout"]');
    await page.waitForSelector('#login-username');
    await page.reload();
    await page.waitForSelector('#login-username');
    expect(await page.getAttribute('#app', 'data-view')).toBe('login');
    await page.close();
  });

  it('an account disabled by an admin drops out of its open console at once', async () => {
    const officer = await browser.newPage();
    await signInConsole(officer, relay.url, 'officer2', 'demo-officer2');
    const admin = await browser.newPage();
    await signInConsole(admin, relay.url, 'admin', 'demo-admin');
    await admin.click('[data-testid="nav-accounts"]');
    await admin.click('[data-testid="disable-officer2"]');
    await admin.waitForSelector('[data-testid="account-row"][data-username="officer2"][data-disabled="true"]');
    await officer.waitForSelector('#login-username', { timeout: 10_000 });
    expect(await officer.getAttribute('#app', 'data-view')).toBe('login');
    await admin.click('[data-testid="enable-officer2"]');
    await admin.waitForSelector('[data-testid="account-row"][data-username="officer2"][data-disabled="false"]');
    await officer.close();
    await admin.close();
  });

  it('repeated wrong passwords lock the account with a clear message', async () => {
    const page = await browser.newPage();
    await page.goto(`${relay.url}/`);
    for (let i = 0; i < 4; i++) {
      await page.fill('#login-username', 'supervisor');
      await page.fill('#login-password', `wrong-${i}`);
      await page.click('#login-submit');
      await page.waitForSelector('[data-testid="login-error"]:not([hidden])');
      await page.waitForFunction(() => !(document.querySelector('#login-submit') as HTMLButtonElement).disabled);
    }
    await expect(page.locator('[data-testid="login-error"]').innerText()).resolves.toContain('too_many_attempts');
    await page.close();
  });
});
