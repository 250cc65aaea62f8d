import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { signInConsole, videoStats } from '../support/browser.ts';
import { startE2eStation, type E2eStation } from '../support/e2eStation.ts';
import { eventually, kioskStatus, pressButton } from '../support/kioskStatus.ts';

/**
 * The whole path, with real parts: a simulated terminal process (wrtc +
 * mediasoup-client, ffmpeg test pattern, tone microphone), the relay process
 * (real mediasoup worker, real SQLite file) and the console in Chromium.
 */
const TERMINAL = 'XC-SCH-001';
let station: E2eStation;
let page: Page;
let baseUrl: string;
let statusUrl: string;

beforeAll(async () => {
  station = await startE2eStation({ name: 'e2e', terminalId: TERMINAL, workers: 2 });
  ({ baseUrl, statusUrl } = station);
  page = await station.browser.newPage();
  await signInConsole(page, baseUrl, 'officer1', 'demo-officer1');
}, 90_000);

afterAll(async () => {
  await station?.close();
});

describe('press the button, see the caller', () => {
  it('rings with the location, shows live video, carries the officer voice, hangs up and logs the call', async () => {
    await page.waitForSelector(`[data-testid="terminal-row"][data-terminal-id="${TERMINAL}"][data-online="true"]`);

    await pressButton(statusUrl);
    const card = page.locator('[data-testid="call-card"][data-state="ringing"]');
    await card.waitFor({ timeout: 10_000 });
    await expect(card.locator('[data-testid="call-location-id"]').innerText()).resolves.toBe(TERMINAL);
    await expect(card.locator('[data-testid="call-address"]').innerText()).resolves.toContain('前海');
    const callId = await card.getAttribute('data-call-id');
    expect(callId).toBeTruthy();
    // The console can ring before the kiosk has read the relay's answer to its help.request: a moment later it rings too.
    await eventually(async () => (await kioskStatus(statusUrl)).call.state === 'ringing', 5000, 'terminal ringing');
    expect((await kioskStatus(statusUrl)).led).toBe('blink-fast');

    await card.locator('[data-testid="answer"]').click();
    const answered = page.locator(`[data-testid="call-card"][data-call-id="${callId}"][data-state="answered"]`);
    await answered.waitFor({ timeout: 10_000 });
    await eventually(async () => (await kioskStatus(statusUrl)).call.state === 'connected', 10_000, 'terminal connected state');
    expect((await kioskStatus(statusUrl)).led).toBe('on');

    // Live video: decoded frames at the camera's size, still advancing.
    const video = `[data-testid="call-card"][data-call-id="${callId}"] video[data-testid="call-video"]`;
    const first = await eventually(async () => {
      const s = await videoStats(page, video);
      return s.frames > 5 && s.width > 0 ? s : null;
    }, 15_000, 'decoded video frames');
    expect(first.width).toBe(640);
    expect(first.height).toBe(480);
    await page.waitForTimeout(1500);
    const later = await videoStats(page, video);
    expect(later.frames - first.frames).toBeGreaterThan(8); // ~15 fps test pattern over 1.5 s
    expect(later.time).toBeGreaterThan(first.time);
    // The terminal's encoder follows the uplink: the ladder has set a limit (it never could on wrtc before).
    const link = await eventually(async () => (await kioskStatus(statusUrl)).media.link?.maxBitrate ?? null, 5_000, 'video limit set by the link ladder');
    expect(link).toBeGreaterThanOrEqual(60_000);

    // The officer's voice (Chromium's fake microphone beeps) reaches the terminal's speaker.
    // (The speaker also plays the voice prompts, so the officer's frames are counted on their own.)
    const heard = await eventually(async () => {
      const s = await kioskStatus(statusUrl);
      return s.media.officerAudioFrames > 100 && s.speaker.peakRmsDbfs > -45 ? s : null;
    }, 15_000, 'officer audio on the terminal speaker');
    expect(heard.speaker.framesWritten).toBeGreaterThan(100);

    await answered.locator('[data-testid="hangup"]').click();
    await eventually(async () => (await kioskStatus(statusUrl)).call.state === 'idle', 10_000, 'terminal back to idle');
    expect((await kioskStatus(statusUrl)).led).toBe('off');
    await page.locator(`[data-testid="call-card"][data-call-id="${callId}"][data-state="answered"]`).waitFor({ state: 'detached', timeout: 10_000 });

    // The call record holds its timeline and end reason.
    const res = await page.request.get(`${baseUrl}/api/calls/${callId}`);
    expect(res.status()).toBe(200);
    const body = (await res.json()) as {
      call: { state: string; createdAt: number; answeredAt: number; endedAt: number; endReason: string; endedBy: string; terminalId: string };
      events: { type: string; at: number }[];
    };
    expect(body.call).toMatchObject({ state: 'ended', endReason: 'officer_hangup', endedBy: 'officer', terminalId: TERMINAL });
    expect(body.call.createdAt).toBeLessThanOrEqual(body.call.answeredAt);
    expect(body.call.answeredAt).toBeLessThanOrEqual(body.call.endedAt);
    const types = body.events.map((e) => e.type);
    for (const t of ['pressed', 'rang', 'media', 'answered', 'ended']) expect(types).toContain(t);
    const times = body.events.map((e) => e.at);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  }, 90_000);

  it('a long press while ringing cancels the call on both sides', async () => {
    await pressButton(statusUrl);
    const card = page.locator('[data-testid="call-card"][data-state="ringing"]');
    await card.waitFor({ timeout: 10_000 });
    const callId = await card.getAttribute('data-call-id');
    await pressButton(statusUrl, 'long-press');
    await eventually(async () => (await kioskStatus(statusUrl)).call.state === 'idle', 10_000, 'terminal idle after cancel');
    const ended = page.locator(`[data-testid="call-card"][data-call-id="${callId}"] [data-testid="call-end-reason"]`);
    await ended.waitFor({ timeout: 10_000 });
    expect(await ended.getAttribute('data-reason')).toBe('cancelled');
    const res = await page.request.get(`${baseUrl}/api/calls/${callId}`);
    const body = (await res.json()) as { call: { endReason: string; answeredAt: number | null; endedBy: string } };
    expect(body.call).toMatchObject({ endReason: 'cancelled', answeredAt: null, endedBy: 'terminal' });
  }, 60_000);
});
