import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { signInConsole, videoStats } from '../support/browser.ts';
import { startE2eStation, type E2eStation } from '../support/e2eStation.ts';
import { eventually, kioskStatus, pressButton } from '../support/kioskStatus.ts';

/**
 * Look-in with real parts: an officer opens a simulated terminal's camera
 * from the terminal list without any call, sees it live, talks to its
 * speaker, closes it; a second officer's console never rings for it, but
 * does ring when the resident presses during a look-in.
 */
const TERMINAL = 'XC-SCH-001';
let station: E2eStation;
let page: Page;
let other: Page;
let baseUrl: string;
let statusUrl: string;

beforeAll(async () => {
  station = await startE2eStation({ name: 'lookin', terminalId: TERMINAL });
  ({ baseUrl, statusUrl } = station);
  page = await (await station.browser.newContext()).newPage();
  other = await (await station.browser.newContext()).newPage();
  await signInConsole(page, baseUrl, 'officer1', 'demo-officer1');
  await signInConsole(other, baseUrl, 'officer2', 'demo-officer2');
}, 90_000);

afterAll(async () => {
  await station?.close();
});

async function auditLookins(): Promise<{ actor: string; target: string; outcome: string; detail: { callId?: string } }[]> {
  const login = await fetch(`${baseUrl}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'demo-admin' }) });
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const res = await fetch(`${baseUrl}/api/audit?limit=200`, { headers: { cookie } });
  const body = (await res.json()) as { entries: { actor: string; action: string; target: string; outcome: string; detail: { callId?: string } }[] };
  return body.entries.filter((e) => e.action === 'camera.lookin');
}

describe('look-in', () => {
  it('opens the camera without a call (LED blinks slowly), talks to the speaker, closes, and is audited', async () => {
    const row = page.locator(`[data-testid="terminal-row"][data-terminal-id="${TERMINAL}"][data-online="true"]`);
    await row.waitFor();
    await row.locator('[data-testid="lookin"]').click();

    const card = page.locator('[data-testid="call-card"][data-kind="lookin"][data-state="answered"]');
    await card.waitFor({ timeout: 10_000 });
    const callId = await card.getAttribute('data-call-id');
    await eventually(async () => (await kioskStatus(statusUrl)).call.state === 'lookin', 10_000, 'terminal in look-in');
    expect((await kioskStatus(statusUrl)).led).toBe('blink-slow');

    const video = `[data-testid="call-card"][data-call-id="${callId}"] video[data-testid="call-video"]`;
    const first = await eventually(async () => {
      const s = await videoStats(page, video);
      return s.frames > 5 && s.width > 0 ? s : null;
    }, 15_000, 'decoded look-in video frames');
    expect(first.width).toBe(640);
    expect(first.height).toBe(480);
    await page.waitForTimeout(1500);
    const later = await videoStats(page, video);
    expect(later.frames - first.frames).toBeGreaterThan(8);

    // Nothing is said to the terminal until the officer switches Talk on.
    expect((await kioskStatus(statusUrl)).media.officerAudioFrames).toBe(0);
    await card.locator('[data-testid="talk"]').click();
    await expect(card.locator('[data-testid="talk"]').getAttribute('aria-pressed')).resolves.toBe('true');
    const heard = await eventually(async () => {
      const s = await kioskStatus(statusUrl);
      return s.media.officerAudioFrames > 100 && s.speaker.peakRmsDbfs > -45 ? s : null;
    }, 15_000, 'officer talk on the terminal speaker');
    expect(heard.speaker.framesWritten).toBeGreaterThan(100);

    // The other officer's console never rang and shows no card for it.
    expect(await other.locator(`[data-testid="call-card"][data-call-id="${callId}"]`).count()).toBe(0);
    expect(await other.evaluate(() => document.documentElement.querySelector('[data-ringing="true"]') !== null)).toBe(false);

    await card.locator('[data-testid="hangup"]').click();
    await eventually(async () => (await kioskStatus(statusUrl)).call.state === 'idle', 10_000, 'terminal back to idle');
    expect((await kioskStatus(statusUrl)).led).toBe('off');

    const audit = await auditLookins();
    expect(audit.find((e) => e.detail.callId === callId)).toMatchObject({ actor: 'user:officer1', target: TERMINAL, outcome: 'ok' });
    const res = await page.request.get(`${baseUrl}/api/calls/${callId}`);
    const body = (await res.json()) as { call: { endReason: string; endedBy: string; terminalId: string } };
    expect(body.call).toMatchObject({ endReason: 'officer_hangup', endedBy: 'officer', terminalId: TERMINAL });
  }, 90_000);

  it('a press during a look-in rings every console as a help call', async () => {
    const row = page.locator(`[data-testid="terminal-row"][data-terminal-id="${TERMINAL}"]`);
    await row.locator('[data-testid="lookin"]:visible').click({ timeout: 10_000 });
    const lookin = page.locator('[data-testid="call-card"][data-kind="lookin"][data-state="answered"]');
    await lookin.waitFor({ timeout: 10_000 });
    await eventually(async () => (await kioskStatus(statusUrl)).call.state === 'lookin', 10_000, 'terminal in look-in');

    await pressButton(statusUrl);
    for (const p of [page, other]) {
      await p.locator(`[data-testid="call-card"][data-kind="help"][data-state="ringing"][data-terminal-id="${TERMINAL}"]`).waitFor({ timeout: 10_000 });
    }
    await eventually(async () => (await kioskStatus(statusUrl)).call.state === 'ringing', 10_000, 'terminal ringing');
    expect((await kioskStatus(statusUrl)).led).toBe('blink-fast');
    await other.locator('[data-testid="call-card"][data-state="ringing"] [data-testid="answer"]').click();
    await eventually(async () => (await kioskStatus(statusUrl)).call.state === 'connected', 10_000, 'answered by the second officer');
    await other.locator('[data-testid="call-card"][data-state="answered"] [data-testid="hangup"]').click();
    await eventually(async () => (await kioskStatus(statusUrl)).call.state === 'idle', 10_000, 'terminal back to idle');
  }, 90_000);
});
