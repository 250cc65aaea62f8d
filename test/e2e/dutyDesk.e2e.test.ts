import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startRelay, startSimTerminal, type Launched } from '../../scripts/lib/launch.ts';
import { launchChromium, signInConsole, videoStats } from '../support/browser.ts';
import { ffprobe } from '../support/ffprobe.ts';
import { eventually, kioskStatus, pressButton } from '../support/kioskStatus.ts';

/**
 * The duty desk with real parts: two simulated terminals, the relay process
 * (mediasoup, SQLite, ffmpeg recorder) and three consoles in Chromium — two
 * duty officers and their supervisor. Short timings: escalation after 3 s,
 * abandon after 9 s.
 */
const ESCALATE_MS = 3000;
// Long enough that the third test's steps fit inside one ring on a loaded 2-core machine.
const ABANDON_MS = 15_000;
const T1 = 'XC-SCH-001';
const T2 = 'XC-HT-003';
let dir: string;
let relay: Launched;
let kiosks: Record<string, Launched>;
let browser: Browser;
let officer1: Page;
let officer2: Page;
let supervisor: Page;
let baseUrl: string;
const statusUrl = (t: string) => kiosks[t]!.ready['statusUrl']!;

interface DebugState {
  user: { displayName: string } | null;
  ringtone: { mode: string; sounding: boolean };
  calls: { id: string; terminalId: string; state: string; answeredBy: string | null }[];
}
const debug = (page: Page) => page.evaluate(() => (window as unknown as { __helppoint: { state: () => unknown } }).__helppoint.state()) as Promise<DebugState>;
const card = (page: Page, callId: string) => page.locator(`[data-testid="call-card"][data-call-id="${callId}"]`);

interface CallDetail {
  call: { state: string; endReason: string | null; escalatedAt: number | null; createdAt: number; answeredAt: number | null; endedAt: number | null; kind: string };
  events: { type: string; at: number; actorName: string | null; detail: unknown }[];
  disposition: { outcome: string; dispatched: boolean; notes: string } | null;
  media: { id: number; kind: string; mime: string; bytes: number; createdAt: number; finishedAt: number | null; url: string | null }[];
}
async function detail(page: Page, callId: string): Promise<CallDetail> {
  const res = await page.request.get(`${baseUrl}/api/calls/${callId}`);
  expect(res.status()).toBe(200);
  return (await res.json()) as CallDetail;
}

async function ringingCallOf(page: Page, terminalId: string): Promise<string> {
  const c = page.locator(`[data-testid="call-card"][data-state="ringing"][data-terminal-id="${terminalId}"]`);
  await c.waitFor({ timeout: 10_000 });
  return (await c.getAttribute('data-call-id'))!;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-desk-'));
  relay = await startRelay({
    logDir: dir,
    dbPath: path.join(dir, 'relay.db'),
    env: { HELPPOINT_WORKERS: '1', HELPPOINT_ESCALATE_AFTER_MS: String(ESCALATE_MS), HELPPOINT_RING_TIMEOUT_MS: String(ABANDON_MS) },
  });
  baseUrl = relay.ready['url']!;
  kiosks = {};
  for (const t of [T1, T2]) kiosks[t] = await startSimTerminal({ relayUrl: baseUrl, terminalId: t, logDir: dir });
  browser = await launchChromium();
  officer1 = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  officer2 = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  supervisor = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await signInConsole(officer1, baseUrl, 'officer1', 'demo-officer1');
  await signInConsole(officer2, baseUrl, 'officer2', 'demo-officer2');
  await signInConsole(supervisor, baseUrl, 'supervisor', 'demo-supervisor');
  for (const t of [T1, T2]) await eventually(async () => (await kioskStatus(statusUrl(t))).relay.connected, 15_000, `${t} connected`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  for (const k of Object.values(kiosks ?? {})) await k.stop();
  await relay?.stop();
  if (process.env['HELPPOINT_KEEP_LOGS']) console.log(`logs kept in ${dir}`);
  else fs.rmSync(dir, { recursive: true, force: true });
});

describe('the duty desk', () => {
  it('rings every console; the first to answer takes it, the other sees who; the call is recorded, written up and in the history', async () => {
    await pressButton(statusUrl(T1));
    const callId = await ringingCallOf(officer1, T1);
    await ringingCallOf(officer2, T1);
    // Both officers' consoles ring, with the location and the live picture before answering.
    for (const page of [officer1, officer2]) {
      await eventually(async () => (await debug(page)).ringtone.mode === 'loud', 5000, 'ringtone on');
      await expect(card(page, callId).locator('[data-testid="call-location-id"]').innerText()).resolves.toBe(T1);
      await eventually(async () => (await videoStats(page, `[data-call-id="${callId}"] video[data-testid="call-video"]`)).frames > 3, 15_000, 'preview frames');
    }
    // The map highlights the calling terminal.
    await expect(officer1.locator(`[data-testid="map-terminal"][data-terminal-id="${T1}"]`).getAttribute('data-state')).resolves.toBe('calling');
    const voice = (await kioskStatus(statusUrl(T1))) as unknown as { voice: { lastPrompt: string; lastSource: string } };
    expect(voice.voice).toMatchObject({ lastPrompt: 'connecting', lastSource: 'file' });

    await card(officer2, callId).locator('[data-testid="answer"]').click();
    await card(officer2, callId).and(officer2.locator('[data-state="answered"]')).waitFor({ timeout: 10_000 });
    const seenBy1 = card(officer1, callId).locator('[data-testid="call-answered-by"]');
    await seenBy1.waitFor({ timeout: 10_000 });
    expect(await seenBy1.innerText()).toContain('李娜');
    await eventually(async () => (await debug(officer1)).ringtone.mode === 'off', 5000, 'officer1 stops ringing');
    expect(await card(officer1, callId).locator('[data-testid="answer"]').isHidden()).toBe(true);
    await expect(officer1.locator(`[data-testid="map-terminal"][data-terminal-id="${T1}"]`).getAttribute('data-state')).resolves.toBe('in-call');
    await eventually(async () => (await kioskStatus(statusUrl(T1))).call.state === 'connected', 10_000, 'terminal connected');

    // Officer audio reaches the terminal; mute silences it.
    await eventually(async () => (await kioskStatus(statusUrl(T1))).media.officerAudioFrames > 100, 15_000, 'officer audio');
    const mute = card(officer2, callId).locator('[data-testid="mute"]');
    await mute.click();
    expect(await mute.getAttribute('aria-pressed')).toBe('true');
    await eventually(async () => (await kioskStatus(statusUrl(T1))).speaker.recentRmsDbfs < -60, 10_000, 'muted: the terminal hears silence');
    await mute.click();
    await eventually(async () => (await kioskStatus(statusUrl(T1))).speaker.recentRmsDbfs > -45, 10_000, 'unmuted: the officer is heard again');

    await card(officer2, callId).locator('[data-testid="snapshot"]').click();
    await officer2.locator('[data-testid="toast"][data-code="saved"]').first().waitFor({ timeout: 10_000 });
    await officer2.waitForTimeout(2500);
    await card(officer2, callId).locator('[data-testid="hangup"]').click();
    await eventually(async () => (await kioskStatus(statusUrl(T1))).call.state === 'idle', 10_000, 'terminal idle');

    // The officer who took the call writes it up.
    const form = officer2.locator(`[data-testid="disposition"][data-call-id="${callId}"]`);
    await form.waitFor({ timeout: 10_000 });
    expect(await officer1.locator('main [data-testid="disposition"]').isHidden()).toBe(true);
    await form.locator('[data-testid="disposition-type"]').selectOption('lost_person');
    await form.locator('[data-testid="disposition-outcome"]').selectOption('officers_dispatched');
    await form.locator('[data-testid="disposition-dispatched"]').check();
    await form.locator('[data-testid="disposition-notes"]').fill('老人迷路，已派巡逻组送回家');
    await form.locator('[data-testid="disposition-save"]').click();
    await form.waitFor({ state: 'hidden', timeout: 10_000 });

    // The recording: ffprobe reads both streams, about as long as the terminal's media was live.
    const rec = await eventually(async () => {
      const d = await detail(officer1, callId);
      return d.media.find((m) => m.kind === 'recording' && m.mime === 'video/webm' && m.finishedAt !== null) ?? null;
    }, 15_000, 'finished recording');
    const files = fs.globSync(`${dir}/media/recordings/*/${callId}-terminal-*.webm`);
    expect(files).toHaveLength(1);
    const probe = ffprobe(files[0]!);
    expect(probe.streams.map((s) => `${s.type}/${s.codec}`).sort()).toEqual(['audio/opus', 'video/vp8']);
    const expectedS = (rec.finishedAt! - rec.createdAt) / 1000;
    expect(expectedS).toBeGreaterThan(5);
    // The file's clock is the terminal's RTP timestamps, the row's is the relay's wall clock: on a loaded
    // machine the simulated terminal sends its media late and in bursts, so the two drift apart by seconds.
    // Room for that, while a recording missing a good part of the call still fails.
    expect(Math.abs(probe.durationS - expectedS)).toBeLessThan(Math.max(3, expectedS * 0.25));
    const served = await officer1.request.get(`${baseUrl}${rec.url}`);
    expect(served.status()).toBe(200);
    expect(served.headers()['content-type']).toBe('video/webm');
    expect((await served.body()).length).toBe(fs.statSync(files[0]!).size);
    // The officer's voice is its own file, finished by its own ffmpeg a moment later.
    await eventually(async () => (await detail(officer1, callId)).media.find((m) => m.mime === 'audio/webm')?.finishedAt, 15_000, 'officer recording finished');

    // The call history finds it by terminal and outcome, and shows the timeline and evidence.
    await officer1.click('[data-testid="nav-history"]');
    await officer1.locator('[data-testid="history-terminal"]').selectOption(T1);
    await officer1.locator('[data-testid="history-outcome"]').selectOption('officers_dispatched');
    await officer1.click('[data-testid="history-search"]');
    const row = officer1.locator(`[data-testid="history-row"][data-call-id="${callId}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await officer1.locator('[data-testid="history-row"]').count()).toBe(1);
    await row.click();
    const timeline = officer1.locator('[data-testid="history-timeline"]');
    await timeline.waitFor({ timeout: 10_000 });
    const text = await timeline.innerText();
    for (const words of ['按下求助按钮', '指挥台振铃', '接听 Answered · 值班民警 李娜', '截图', '民警挂断', 'officer_hangup']) expect(text).toContain(words);
    expect(await officer1.locator('[data-testid="history-disposition"]').innerText()).toContain('已派警');
    await officer1.locator('[data-testid="history-snapshot"]').waitFor();
    // the <img> is in the page before its bytes have arrived and decoded
    await officer1.waitForFunction(() => ((document.querySelector('[data-testid="history-snapshot"]') as HTMLImageElement | null)?.naturalWidth ?? 0) > 0);
    expect(await officer1.locator('[data-testid="history-snapshot"]').evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(640);
    const player = officer1.locator('video[data-testid="history-recording"]');
    await eventually(async () => (await player.evaluate((v) => (v as HTMLVideoElement).readyState)) >= 1, 10_000, 'recording metadata in the player');
    // Another officer's outcome filter finds nothing.
    await officer1.locator('[data-testid="history-outcome"]').selectOption('prank');
    await officer1.click('[data-testid="history-search"]');
    await officer1.locator('[data-testid="history-status"]', { hasText: 'No calls match' }).waitFor({ timeout: 10_000 });
    await officer1.click('[data-testid="nav-desk"]');
  }, 150_000);

  it('escalates an unanswered call at the configured time (supervisor gets the urgent alert), then abandons it and tells the resident to dial 110', async () => {
    await pressButton(statusUrl(T2));
    const callId = await ringingCallOf(supervisor, T2);
    await eventually(async () => (await debug(supervisor)).ringtone.mode === 'loud', 5000, 'supervisor ringing');
    await card(supervisor, callId).and(supervisor.locator('[data-escalated="true"]')).waitFor({ timeout: ESCALATE_MS + 5000 });
    expect(await card(supervisor, callId).locator('[data-testid="call-escalated"]').isVisible()).toBe(true);
    await eventually(async () => (await debug(supervisor)).ringtone.mode === 'urgent', 5000, 'urgent alert for the supervisor');
    expect((await debug(officer1)).ringtone.mode).toBe('loud'); // officers keep the normal ring
    await card(officer1, callId).and(officer1.locator('[data-escalated="true"]')).waitFor({ timeout: 5000 });

    const ended = card(officer1, callId).locator('[data-testid="call-end-reason"]');
    await ended.waitFor({ timeout: ABANDON_MS + 5000 });
    expect(await ended.getAttribute('data-reason')).toBe('no_answer');
    const st = (await kioskStatus(statusUrl(T2))) as unknown as { call: { state: string }; led: string; voice: { lastPrompt: string; lastSource: string; lastText: string } };
    expect(st.call.state).toBe('idle');
    expect(st.led).toBe('off');
    expect(st.voice).toMatchObject({ lastPrompt: 'no_answer', lastSource: 'file' });
    expect(st.voice.lastText).toContain('110');

    const d = await detail(officer1, callId);
    const at = (type: string) => d.events.find((e) => e.type === type)!.at;
    expect(at('escalated') - at('pressed')).toBeGreaterThanOrEqual(ESCALATE_MS - 50);
    expect(at('escalated') - at('pressed')).toBeLessThan(ESCALATE_MS + 1500);
    expect(at('ended') - at('pressed')).toBeGreaterThanOrEqual(ABANDON_MS - 50);
    expect(d.call).toMatchObject({ state: 'ended', endReason: 'no_answer', answeredAt: null });
    expect(d.call.escalatedAt).toBe(at('escalated'));
    // The supervisor goes off shift: two consoles are left for the queue (and a 2-core machine has less to render).
    await supervisor.close();
  }, 60_000);

  it('queues a second call behind the first (oldest first); the resident of the second cancels with a long press', async () => {
    await pressButton(statusUrl(T1));
    const first = await ringingCallOf(officer1, T1);
    await officer1.waitForTimeout(300);
    await pressButton(statusUrl(T2));
    const second = await ringingCallOf(officer1, T2);
    const order = await officer1.locator('[data-testid="call-card"][data-state="ringing"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-call-id')));
    expect(order).toEqual([first, second]);
    // Both queued calls show on the map as calling, each with its location.
    for (const t of [T1, T2]) await expect(officer2.locator(`[data-testid="map-terminal"][data-terminal-id="${t}"]`).getAttribute('data-state')).resolves.toBe('calling');

    await card(officer1, first).locator('[data-testid="answer"]').click();
    await card(officer1, first).and(officer1.locator('[data-state="answered"]')).waitFor({ timeout: 10_000 });
    // The second keeps ringing, quietly for the officer who is talking, loudly for the free one.
    expect(await card(officer1, second).getAttribute('data-state')).toBe('ringing');
    await eventually(async () => (await debug(officer1)).ringtone.mode === 'soft', 5000, 'soft ring while talking');
    expect((await debug(officer2)).ringtone.mode).toBe('loud');
    // A press on the terminal already in a call changes nothing.
    await pressButton(statusUrl(T1));
    expect((await kioskStatus(statusUrl(T1))).call.state).toBe('connected');

    await pressButton(statusUrl(T2), 'long-press');
    const reason = card(officer2, second).locator('[data-testid="call-end-reason"]');
    await reason.waitFor({ timeout: 10_000 });
    expect(await reason.getAttribute('data-reason')).toBe('cancelled');
    await eventually(async () => (await debug(officer2)).ringtone.mode === 'off', 5000, 'nothing left ringing');
    await card(officer1, first).locator('[data-testid="hangup"]').click();
    await eventually(async () => (await kioskStatus(statusUrl(T1))).call.state === 'idle', 10_000, 'first call over');
  }, 60_000);
});
