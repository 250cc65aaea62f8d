import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelay, startSimTerminal, type Launched } from '../../scripts/lib/launch.ts';
import { launchChromium, videoStats } from '../support/browser.ts';
import { startDistrictWorld, type DistrictWorld } from '../support/district.ts';
import { eventually, kioskStatus, pressButton } from '../support/kioskStatus.ts';
import { signIn } from '../support/station.ts';

/**
 * The district officer's side in a real browser: station B's relay with a
 * simulated terminal (real camera test pattern and microphone through wrtc),
 * a district relay, a 3-node NATS cluster with TLS; Chromium signs in to the
 * district page, hears the district desk ring for B's unanswered press,
 * answers, sees the terminal's video and is heard on the terminal's speaker.
 * The media comes straight from B's relay: the page prints the set-up time.
 */
const ESCALATE_MS = 3000;
let world: DistrictWorld;
let district: Launched;
let station: Launched;
let kiosk: Launched;
let browser: Browser;
let districtUrl: string;
let statusUrl: string;

beforeAll(async () => {
  world = await startDistrictWorld(['b']);
  const keyFile = path.join(world.dir, 'district-key.pem');
  const pubFile = path.join(world.dir, 'district-pub.pem');
  fs.writeFileSync(keyFile, world.keys.privateKeyPem);
  fs.writeFileSync(pubFile, world.keys.publicKeyPem);
  const nats = { HELPPOINT_NATS_URLS: world.nats.urls.join(','), HELPPOINT_NATS_CA: world.caFile, HELPPOINT_WORKERS: '1', HELPPOINT_RECORD: '0' };
  district = await startRelay({
    name: 'relay-district',
    logDir: world.dir,
    dbPath: path.join(world.dir, 'district.db'),
    env: { ...nats, HELPPOINT_ROLE: 'district', HELPPOINT_NATS_USER: 'district', HELPPOINT_NATS_PASSWORD: 'district-secret', HELPPOINT_DISTRICT_KEY_FILE: keyFile, HELPPOINT_DISTRICT_ESCALATE_MS: String(ESCALATE_MS) },
  });
  districtUrl = district.ready['url']!;
  station = await startRelay({
    name: 'relay-b',
    logDir: world.dir,
    dbPath: path.join(world.dir, 'station-b.db'),
    env: { ...nats, HELPPOINT_STATION_ID: 'b', HELPPOINT_NATS_USER: 'station-b', HELPPOINT_NATS_PASSWORD: 'secret-b', HELPPOINT_DISTRICT_PUBLIC_KEY_FILE: pubFile },
  });
  kiosk = await startSimTerminal({ relayUrl: station.ready['url']!, terminalId: 'XC-HT-003', logDir: world.dir });
  statusUrl = kiosk.ready['statusUrl']!;
  browser = await launchChromium();
  await eventually(async () => (await kioskStatus(statusUrl)).relay.connected, 15_000, 'terminal connected');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await kiosk?.stop();
  await station?.stop();
  await district?.stop();
  await world?.close();
});

/** The district page, signed in as a district officer and connected. */
async function districtPage() {
  const page = await browser.newPage();
  await page.goto(`${districtUrl}/district.html`);
  await page.fill('input[name=username]', 'officer1');
  await page.fill('input[name=password]', 'demo-officer1');
  await page.click('form.d-login button[type=submit]');
  await page.waitForSelector('#app[data-connected="true"]', { timeout: 15_000 });
  return page;
}

describe('district console', () => {
  it('rings for a call unanswered at its station; the district officer answers, sees the video and is heard', async () => {
    const page = await districtPage();
    // B's terminal is on the district map and list, online.
    await page.waitForSelector('tr[data-terminal="b.XC-HT-003"][data-status="online"]', { timeout: 20_000 });
    await page.waitForSelector('circle[data-terminal="b.XC-HT-003"]');

    await pressButton(statusUrl);
    await eventually(async () => (await kioskStatus(statusUrl)).call.state === 'ringing', 10_000, 'terminal ringing');
    // Ringing at B only at first; the district desk rings once the district timeout passes.
    const card = await page.waitForSelector('[data-district-call^="b/"]', { timeout: 15_000 });
    expect(await card.getAttribute('data-district-ringing')).toBe('false');
    await page.waitForSelector('[data-district-call^="b/"][data-district-ringing="true"]', { timeout: ESCALATE_MS + 15_000 });
    expect(await page.textContent('[data-district-ringing="true"]')).toContain('本所未接听');

    await page.click('[data-district-ringing="true"] .d-answer');
    await eventually(async () => (await kioskStatus(statusUrl)).call.state === 'connected', 15_000, 'terminal answered');
    const video = await eventually(async () => {
      const s = await videoStats(page, '.d-video');
      return s.frames > 10 && s.width > 0 ? s : null;
    }, 20_000, 'terminal video on the district console');
    expect(video.width).toBeGreaterThan(0);
    const setupMs = Number(await page.getAttribute('.d-active', 'data-first-frame-ms'));
    console.log(`district answer → first video frame (direct from the station relay): ${setupMs} ms`);
    expect(setupMs).toBeGreaterThan(0);
    // The district officer's microphone (Chromium's fake one beeps) plays on the terminal's speaker.
    await eventually(async () => {
      const s = await kioskStatus(statusUrl);
      return s.media.officerAudioFrames > 100 && s.speaker.peakRmsDbfs > -45 ? s : null;
    }, 20_000, 'district officer audio on the terminal speaker');
    // The terminal's map dot shows the call.
    await page.waitForSelector('tr[data-terminal="b.XC-HT-003"][data-status="in_call"]', { timeout: 10_000 });

    await page.click('.d-hangup');
    await eventually(async () => (await kioskStatus(statusUrl)).call.state === 'idle', 15_000, 'terminal idle after the district hung up');
    await page.waitForSelector('tr[data-terminal="b.XC-HT-003"][data-status="online"]', { timeout: 10_000 });
    await page.close();
  }, 120_000);

  it('looks in on an idle terminal at station B: its camera on the district page, the LED blinking, audited at B as the district officer', async () => {
    const page = await districtPage();
    await page.waitForSelector('tr[data-terminal="b.XC-HT-003"][data-status="online"]', { timeout: 20_000 });
    await eventually(async () => (await kioskStatus(statusUrl)).call.state === 'idle', 15_000, 'terminal idle');

    await page.click('tr[data-terminal="b.XC-HT-003"] .d-lookin');
    const looking = await eventually(async () => {
      const s = await kioskStatus(statusUrl);
      return s.call.state === 'lookin' ? s : null;
    }, 15_000, 'terminal in a look-in');
    // The slow blink tells anyone at the terminal that the camera is on.
    expect(looking.led).toBe('blink-slow');
    const video = await eventually(async () => {
      const v = await videoStats(page, '.d-video');
      return v.frames > 10 && v.width > 0 ? v : null;
    }, 20_000, 'the look-in picture on the district console');
    expect(video.width).toBeGreaterThan(0);

    // Station B keeps the record of who looked: the district officer, through the district.
    const admin = await signIn(station.ready['url']!, 'admin', 'demo-admin');
    const audit = (await (await fetch(`${station.ready['url']}/api/audit?limit=100`, { headers: { cookie: admin } })).json()) as { entries: { action: string; actor: string; outcome: string; target: string | null }[] };
    expect(audit.entries.find((e) => e.action === 'district.lookin' && e.outcome === 'ok')).toMatchObject({ target: 'XC-HT-003' });
    expect(audit.entries.find((e) => e.action === 'district.lookin' && e.outcome === 'ok')?.actor).toMatch(/^district:/);

    await page.click('.d-hangup');
    await eventually(async () => (await kioskStatus(statusUrl)).call.state === 'idle', 15_000, 'terminal idle after the look-in');
    await page.close();
  }, 120_000);
});
