import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { signInConsole } from '../support/browser.ts';
import { startE2eStation, type E2eStation } from '../support/e2eStation.ts';
import { eventually, kioskStatus, pressButton } from '../support/kioskStatus.ts';
import { encodeWav } from '../../kiosk/src/voice/wav.ts';
import { normalizeActive, OFFICER_TEXT, OFFICER_VOICE, RESIDENT_TEXT, RESIDENT_VOICE, speak } from '../../scripts/lib/audio/speech.ts';

/**
 * Issue 11, end to end: the officer's fake microphone (Chromium) plays
 * Mandarin speech through the relay to a simulated terminal whose room
 * echoes the speaker back into its microphone (40 ms, 6 dB down, reflections,
 * loudspeaker distortion). What the officer receives must hold less than
 * −40 dB of his own voice relative to what he sent, and the resident (who
 * starts speaking 55 s after the microphone opens) must still come through.
 */
const TERMINAL = 'XC-SCH-001';
/** The resident's WAV starts with this much silence, so the first part of the call is officer-only. */
const RESIDENT_SILENT_S = 55;
let station: E2eStation;
let page: Page;
let dir: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-aec-e2e-'));
  const officerWav = path.join(dir, 'officer.wav');
  const residentWav = path.join(dir, 'resident.wav');
  fs.writeFileSync(officerWav, encodeWav(normalizeActive(speak(OFFICER_TEXT, OFFICER_VOICE), -16), 48000));
  const resident = normalizeActive(speak(RESIDENT_TEXT, RESIDENT_VOICE), -26);
  const withSilence = new Int16Array(RESIDENT_SILENT_S * 48000 + resident.length);
  withSilence.set(resident, RESIDENT_SILENT_S * 48000);
  fs.writeFileSync(residentWav, encodeWav(withSilence, 48000));
  station = await startE2eStation({
    name: 'aec-e2e',
    terminalId: TERMINAL,
    kioskEnv: {
      HELPPOINT_SIM_RESIDENT: residentWav,
      HELPPOINT_SIM_ECHO_DELAY_MS: '40',
      HELPPOINT_SIM_ECHO_LOSS_DB: '6',
      // A quiet night: what comes back is the echo (and the resident), not traffic noise.
      HELPPOINT_SIM_STREET_NOISE_DBFS: 'off',
    },
    chromiumArgs: [`--use-file-for-fake-audio-capture=${officerWav}`],
  });
  page = await station.browser.newPage();
  await signInConsole(page, station.baseUrl, 'officer1', 'demo-officer1');
}, 90_000);

afterAll(async () => {
  await station?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Starts metering the call's received audio in the page: mean square per 250 ms, with the page clock. */
async function meterReceived(p: Page, callId: string): Promise<void> {
  await p.evaluate(async (id) => {
    const el = document.querySelector(`[data-testid="call-card"][data-call-id="${id}"] audio[data-testid="call-audio"]`) as HTMLAudioElement | null;
    const stream = el?.srcObject as MediaStream | null;
    if (!stream || stream.getAudioTracks().length === 0) throw new Error('no received audio track yet');
    const ctx = new AudioContext({ sampleRate: 48000 });
    await ctx.resume();
    const src = ctx.createMediaStreamSource(stream);
    const proc = ctx.createScriptProcessor(4096, 1, 1);
    const windows: { at: number; ms: number }[] = [];
    let sum = 0;
    let n = 0;
    proc.onaudioprocess = (e) => {
      const x = e.inputBuffer.getChannelData(0);
      for (let i = 0; i < x.length; i++) sum += x[i]! * x[i]!;
      n += x.length;
      if (n >= 12000) {
        windows.push({ at: performance.now(), ms: sum / n });
        sum = 0;
        n = 0;
      }
    };
    src.connect(proc);
    proc.connect(ctx.destination);
    (window as unknown as { __received: typeof windows; __meter: unknown }).__received = windows;
    (window as unknown as { __meter: unknown }).__meter = { ctx, src, proc };
  }, callId);
}

async function receivedSince(p: Page, sinceMs: number): Promise<number[]> {
  return p.evaluate((t) => (window as unknown as { __received: { at: number; ms: number }[] }).__received.filter((w) => w.at >= t).map((w) => w.ms), sinceMs);
}

const dbfs = (meanSquare: number) => 10 * Math.log10(Math.max(meanSquare, 1e-12));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

describe('hands-free audio', () => {
  it("the officer hears less than −40 dB of his own voice back, and the resident's voice arrives", async () => {
    const { statusUrl } = station;
    await page.waitForSelector(`[data-testid="terminal-row"][data-terminal-id="${TERMINAL}"][data-online="true"]`);
    await pressButton(statusUrl);
    const card = page.locator('[data-testid="call-card"][data-state="ringing"]');
    await card.waitFor({ timeout: 10_000 });
    const pressedAt = await page.evaluate(() => performance.now());
    const callId = (await card.getAttribute('data-call-id'))!;
    await card.locator('[data-testid="answer"]').click();
    await page.locator(`[data-testid="call-card"][data-call-id="${callId}"][data-state="answered"]`).waitFor({ timeout: 10_000 });
    const step = async (what: string) => console.log(`${what}: ${(((await page.evaluate(() => performance.now())) - pressedAt) / 1000).toFixed(1)} s after the press`);
    await step('answered');
    await eventually(async () => (await kioskStatus(statusUrl)).media.officerAudioFrames > 100, 15_000, "officer's voice on the terminal speaker");
    await step('officer heard');
    await eventually(async () => {
      try {
        await meterReceived(page, callId);
        return true;
      } catch {
        return null;
      }
    }, 15_000, 'received audio in the console');
    await step('metering');

    // Officer-only phase: let the canceller converge (and the voice prompt end), then measure for 10 s,
    // sampling the officer's level as the terminal's speaker plays it (what he sent, after the network).
    await page.waitForTimeout(5000);
    const from = await page.evaluate(() => performance.now());
    const sent: number[] = [];
    for (let i = 0; i < 16; i++) {
      sent.push((await kioskStatus(statusUrl)).speaker.recentRmsDbfs);
      await page.waitForTimeout(500);
    }
    const untilResident = pressedAt + RESIDENT_SILENT_S * 1000 - 2000;
    const t0 = performance.now();
    const t0page = await page.evaluate(() => performance.now());
    expect(t0page).toBeLessThan(untilResident); // still before the resident speaks
    const echoWindows = await receivedSince(page, from);
    expect(echoWindows.length).toBeGreaterThan(25);
    const sentDbfs = 10 * Math.log10(mean(sent.map((d) => 10 ** (d / 10))));
    const returnedDbfs = dbfs(mean(echoWindows));
    console.log(`measured ${((from - pressedAt) / 1000).toFixed(1)}–${((performance.now() - t0 + t0page - pressedAt) / 1000).toFixed(1)} s after the press`);
    console.log(`officer sent ${sentDbfs.toFixed(1)} dBFS; his voice came back at ${returnedDbfs.toFixed(1)} dBFS (${(returnedDbfs - sentDbfs).toFixed(1)} dB)`);
    expect(sentDbfs).toBeGreaterThan(-35); // he really was talking
    expect(returnedDbfs - sentDbfs).toBeLessThan(-40);

    // The resident starts speaking: within 40 s of when they should, 2 s of received audio must stand
    // clearly above what came back before, and the card says the resident is speaking.
    const residentFrom = pressedAt + RESIDENT_SILENT_S * 1000;
    await page.waitForFunction((t) => performance.now() > t, residentFrom, { timeout: 90_000, polling: 500 });
    const residentDbfs = await eventually(async () => {
      const recent = (await receivedSince(page, residentFrom)).slice(-8);
      const level = dbfs(mean(recent));
      return recent.length === 8 && level > -55 && level - returnedDbfs > 20 ? level : null;
    }, 40_000, "the resident's voice in the console");
    console.log(`resident arrived at ${residentDbfs.toFixed(1)} dBFS`);
    await page.locator(`[data-testid="call-card"][data-call-id="${callId}"] [data-testid="terminal-audio"][data-speaking="true"]`).waitFor({ timeout: 10_000 });

    await page.locator(`[data-testid="call-card"][data-call-id="${callId}"] [data-testid="hangup"]`).click();
    await eventually(async () => (await kioskStatus(statusUrl)).call.state === 'idle', 10_000, 'terminal back to idle');
  }, 180_000);
});
