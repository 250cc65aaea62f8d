import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { signInConsole } from '../support/browser.ts';
import { startE2eStation, type E2eStation } from '../support/e2eStation.ts';
import { eventually, kioskStatus, pressButton } from '../support/kioskStatus.ts';

/**
 * What the officer sees of the pre-press clip (issue 15): after a call from a
 * terminal whose camera is kept warm, the call's history lists
 * 按键前录像 Before the press first among its recordings, and the browser's
 * player opens it (a few seconds that start before the press).
 */
const TERMINAL = 'XC-SCH-001';
let station: E2eStation;
let page: Page;

beforeAll(async () => {
  station = await startE2eStation({ name: 'prepress-history', terminalId: TERMINAL, kioskEnv: { HELPPOINT_CAMERA_WARM: '1' } });
  page = await station.browser.newPage({ viewport: { width: 1440, height: 900 } });
  await signInConsole(page, station.baseUrl, 'officer1', 'demo-officer1');
}, 90_000);

afterAll(async () => {
  await station?.close();
});

describe('the pre-press clip in the call history', () => {
  it('is listed first as 按键前录像 Before the press and plays in the browser', async () => {
    await page.waitForSelector(`[data-testid="terminal-row"][data-terminal-id="${TERMINAL}"][data-online="true"]`);
    // Idle long enough for the terminal's memory of the last seconds to fill.
    await page.waitForTimeout(3500);
    await pressButton(station.statusUrl);
    const card = page.locator('[data-testid="call-card"][data-state="ringing"]');
    await card.waitFor({ timeout: 10_000 });
    const callId = (await card.getAttribute('data-call-id'))!;
    // The resident changes their mind after the first seconds of the call: a long press cancels it.
    await page.waitForTimeout(4000);
    await pressButton(station.statusUrl, 'long-press');
    await eventually(async () => (await kioskStatus(station.statusUrl)).call.state === 'idle', 10_000, 'terminal back to idle');

    await page.click('[data-testid="nav-history"]');
    await page.locator('[data-testid="history-terminal"]').selectOption(TERMINAL);
    // The clip reaches the relay a few seconds after the call (encoded on the terminal, then uploaded): search until it is there.
    const labels = page.locator('[data-testid="history-recording-label"]');
    await eventually(
      async () => {
        await page.click('[data-testid="history-search"]');
        const row = page.locator(`[data-testid="history-row"][data-call-id="${callId}"]`);
        await row.waitFor({ timeout: 10_000 });
        await row.click();
        await page.locator('[data-testid="history-timeline"]').waitFor({ timeout: 10_000 });
        return (await labels.count()) > 0 && (await labels.first().innerText()).includes('按键前录像 Before the press');
      },
      45_000,
      'the pre-press clip listed first in the history',
    );
    // The relay's own recording of the call is there too, after it.
    expect((await labels.allInnerTexts()).some((t) => t.includes('终端音视频 Terminal audio + video'))).toBe(true);
    const player = page.locator('video[data-testid="history-recording"]').first();
    const duration = await eventually(
      async () => player.evaluate((v) => ((v as HTMLVideoElement).readyState >= 1 ? (v as HTMLVideoElement).duration : null)),
      10_000,
      'the clip opened in the player',
    );
    // The seconds before the press plus the first seconds of the call.
    expect(duration).toBeGreaterThanOrEqual(4);
  }, 120_000);
});
