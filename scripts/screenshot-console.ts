/**
 * Takes screenshots of the console as an officer sees it — the desk with
 * missed calls to call back, ringing with the live preview and the map, in a
 * call, the map page, the call history — and the fleet page as field staff
 * see it on a phone, for docs/ and for reviewing the UI.
 *   node scripts/screenshot-console.ts [outDir]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { enrolSimTerminal, startRelay, startSimTerminal } from './lib/launch.ts';
import { DeviceKey } from '../kiosk/src/enrol/deviceKey.ts';
import { RawPeer } from '../test/support/relayHarness.ts';
import { signedHello } from '../test/support/terminalKeys.ts';
import { launchChromium, signInConsole, videoStats } from '../test/support/browser.ts';
import { eventually, kioskStatus, pressButton } from '../test/support/kioskStatus.ts';

const outDir = path.resolve(process.argv[2] ?? 'docs/img');
fs.mkdirSync(outDir, { recursive: true });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-shot-'));
const relay = await startRelay({ logDir: dir, dbPath: path.join(dir, 'relay.db'), env: { HELPPOINT_ESCALATE_AFTER_MS: '60000', HELPPOINT_RING_TIMEOUT_MS: '120000' } });
const kiosk = await startSimTerminal({ relayUrl: relay.ready['url']!, terminalId: 'XC-SCH-001', logDir: dir });
const kiosk2 = await startSimTerminal({ relayUrl: relay.ready['url']!, terminalId: 'XC-HT-003', logDir: dir });
/** A press that reached the relay late from a terminal's outbox: a missed call to call back. */
async function latePress(terminalId: string, minutesAgo: number): Promise<void> {
  const stateDir = path.join(dir, `late-${terminalId}`);
  await enrolSimTerminal({ relayUrl: relay.ready['url']!, terminalId, stateDir });
  const peer = await RawPeer.open(`${relay.ready['url']!.replace('http', 'ws')}/ws/terminal`);
  await signedHello(peer, 1, terminalId, DeviceKey.load(path.join(stateDir, 'device-key.pem')));
  await peer.request(2, 'help.request', { requestId: `late-${terminalId}-shot`, pressedAt: Date.now() - minutesAgo * 60_000, late: true });
  peer.close();
}
const browser = await launchChromium();
try {
  await latePress('XC-KG-002', 42);
  await latePress('XC-HT-012', 9);
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await signInConsole(page, relay.ready['url']!, 'officer1', 'demo-officer1');
  const statusUrl = kiosk.ready['statusUrl']!;
  await eventually(async () => (await kioskStatus(statusUrl)).relay.connected, 15_000, 'terminal connected');
  await eventually(async () => (await kioskStatus(kiosk2.ready['statusUrl']!)).relay.connected, 15_000, 'terminal 2 connected');
  await page.waitForSelector('[data-testid="missed-call"]');
  await page.waitForTimeout(500);
  await page.screenshot({ path: path.join(outDir, 'console-desk.png') });
  await pressButton(statusUrl);
  const video = '[data-testid="call-card"][data-state="ringing"] video[data-testid="call-video"]';
  await page.waitForSelector(video);
  await eventually(async () => (await videoStats(page, video)).frames > 10, 15_000, 'video');
  await page.screenshot({ path: path.join(outDir, 'console-ringing.png') });
  await page.click('[data-testid="call-card"][data-state="ringing"] [data-testid="answer"]');
  await page.waitForSelector('[data-testid="call-card"][data-state="answered"]');
  await page.waitForTimeout(1500);
  await page.click('[data-testid="call-card"][data-state="answered"] [data-testid="snapshot"]');
  // A second terminal calls while the first call is on: the map shows both.
  await pressButton(kiosk2.ready['statusUrl']!);
  await page.waitForSelector('[data-testid="call-card"][data-state="ringing"]');
  await page.waitForTimeout(1500);
  await page.screenshot({ path: path.join(outDir, 'console-in-call.png') });
  await page.click('[data-testid="nav-map"]');
  await page.waitForTimeout(500);
  await page.screenshot({ path: path.join(outDir, 'console-map.png') });
  await page.click('[data-testid="nav-desk"]');
  await page.click('[data-testid="call-card"][data-state="ringing"] [data-testid="hangup"]');
  await page.click('[data-testid="call-card"][data-state="answered"] [data-testid="hangup"]');
  const form = page.locator('main [data-testid="disposition"]');
  await form.waitFor();
  await form.locator('[data-testid="disposition-type"]').selectOption('lost_person');
  await form.locator('[data-testid="disposition-outcome"]').selectOption('officers_dispatched');
  await form.locator('[data-testid="disposition-dispatched"]').check();
  await form.locator('[data-testid="disposition-notes"]').fill('老人迷路，已派巡逻组送回家');
  await form.locator('[data-testid="disposition-save"]').click();
  await form.waitFor({ state: 'hidden' });
  await page.waitForTimeout(4500); // the recording finishes a moment after the call
  await page.click('[data-testid="nav-history"]');
  const row = page.locator('[data-testid="history-row"]', { hasText: 'XC-SCH-001' }).first();
  await row.waitFor();
  await row.click();
  await page.waitForSelector('[data-testid="history-timeline"]');
  await page.waitForSelector('[data-testid="history-snapshot"]');
  await page.waitForTimeout(800);
  await page.screenshot({ path: path.join(outDir, 'console-history.png') });
  // Field staff on a phone: the same navigation, landing on the fleet page.
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  await signInConsole(phone, relay.ready['url']!, 'field', 'demo-field');
  await phone.waitForSelector('[data-testid="fleet-row"][data-online="true"]');
  await phone.waitForTimeout(800);
  await phone.screenshot({ path: path.join(outDir, 'fleet-mobile-nav.png') });
  console.log(`screenshots in ${outDir}`);
} finally {
  await browser.close();
  await kiosk.stop();
  await kiosk2.stop();
  await relay.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
