/**
 * Takes screenshots of the console as an officer sees it — ringing with the
 * live preview, and in a call — for docs/ and for reviewing the UI.
 *   node scripts/screenshot-console.ts [outDir]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRelay, startSimTerminal } from './lib/launch.ts';
import { launchChromium, signInConsole, videoStats } from '../test/support/browser.ts';
import { eventually, kioskStatus, pressButton } from '../test/support/kioskStatus.ts';

const outDir = path.resolve(process.argv[2] ?? 'docs/img');
fs.mkdirSync(outDir, { recursive: true });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-shot-'));
const relay = await startRelay({ logDir: dir, dbPath: path.join(dir, 'relay.db') });
const kiosk = await startSimTerminal({ relayUrl: relay.ready['url']!, terminalId: 'XC-SCH-001', logDir: dir });
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await signInConsole(page, relay.ready['url']!, 'officer1', 'demo-officer1');
  const statusUrl = kiosk.ready['statusUrl']!;
  await eventually(async () => (await kioskStatus(statusUrl)).relay.connected, 15_000, 'terminal connected');
  await pressButton(statusUrl);
  const video = '[data-testid="call-card"][data-state="ringing"] video[data-testid="call-video"]';
  await page.waitForSelector(video);
  await eventually(async () => (await videoStats(page, video)).frames > 10, 15_000, 'video');
  await page.screenshot({ path: path.join(outDir, 'console-ringing.png') });
  await page.click('[data-testid="call-card"][data-state="ringing"] [data-testid="answer"]');
  await page.waitForSelector('[data-testid="call-card"][data-state="answered"]');
  await page.waitForTimeout(1500);
  await page.screenshot({ path: path.join(outDir, 'console-in-call.png') });
  console.log(`screenshots in ${outDir}`);
} finally {
  await browser.close();
  await kiosk.stop();
  await relay.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
