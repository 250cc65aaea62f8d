/**
 * Screenshots of the fleet page as field staff see it on a phone: the list
 * with one terminal's door open and one frozen (offline), and a terminal page
 * with its charts.   node scripts/screenshot-fleet.ts [outDir]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRelay, startSimTerminal } from './lib/launch.ts';
import { launchChromium, signInConsole } from '../test/support/browser.ts';
import { eventually, kioskStatus } from '../test/support/kioskStatus.ts';

const outDir = path.resolve(process.argv[2] ?? 'docs/img');
fs.mkdirSync(outDir, { recursive: true });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-shot-'));
const relay = await startRelay({ logDir: dir, dbPath: path.join(dir, 'relay.db'), env: { HELPPOINT_WORKERS: '1', HELPPOINT_HEARTBEAT_MS: '1000' } });
const url = relay.ready['url']!;
const kiosks = await Promise.all(['XC-SCH-001', 'XC-HT-003', 'XC-KG-002'].map((id) => startSimTerminal({ relayUrl: url, terminalId: id, logDir: dir, env: { HELPPOINT_SELFTEST_HOUR: 'off' } })));
const browser = await launchChromium();
try {
  for (const k of kiosks) await eventually(async () => (await kioskStatus(k.ready['statusUrl']!)).relay.connected, 20_000, 'terminal connected');
  // a self-test on one terminal, so its card and page show one
  await fetch(`${kiosks[0]!.ready['statusUrl']}/doctor`, { method: 'POST' }).then((r) => r.text());
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  await signInConsole(page, url, 'field', 'demo-field');
  await page.waitForTimeout(8000); // some history
  await fetch(`${kiosks[2]!.ready['statusUrl']}/sim/tamper`, { method: 'POST', body: JSON.stringify({ open: true }) });
  kiosks[1]!.child.kill('SIGSTOP');
  await page.waitForSelector('[data-testid="fleet-row"][data-terminal-id="XC-HT-003"][data-online="false"]', { timeout: 15_000 });
  await page.waitForTimeout(500);
  await page.screenshot({ path: path.join(outDir, 'fleet-mobile.png') });
  await page.click('[data-testid="fleet-row"][data-terminal-id="XC-SCH-001"] a');
  await page.waitForSelector('[data-testid="chart-rtt"]');
  await page.screenshot({ path: path.join(outDir, 'fleet-terminal-mobile.png'), fullPage: true });
  console.log(`screenshots in ${outDir}`);
} finally {
  kiosks[1]!.child.kill('SIGCONT');
  await browser.close();
  await Promise.all(kiosks.map((k) => k.stop()));
  await relay.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
