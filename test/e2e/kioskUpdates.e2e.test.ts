import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startRelay, type Launched } from '../../scripts/lib/launch.ts';
import { launchChromium, signInConsole } from '../support/browser.ts';

/**
 * The updates page in a real browser against a real relay: an admin uploads
 * a kiosk .deb and rolls it out to a terminal; a refused upload says why; a
 * technician may roll out but has no upload form.
 */
let dir: string;
let relay: Launched;
let browser: Browser;
let page: Page;
let baseUrl: string;
let deb: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-updates-e2e-'));
  const root = path.join(dir, 'pkg');
  fs.mkdirSync(path.join(root, 'DEBIAN'), { recursive: true });
  fs.writeFileSync(path.join(root, 'DEBIAN', 'control'), 'Package: helppoint-kiosk\nVersion: 9.9.9\nArchitecture: amd64\nMaintainer: HelpPoint <dev@helppoint.local>\nDescription: test package\n');
  deb = path.join(dir, 'helppoint-kiosk_9.9.9_amd64.deb');
  execFileSync('dpkg-deb', ['--build', '--root-owner-group', root, deb], { stdio: 'ignore' });
  fs.writeFileSync(path.join(dir, 'notes.deb'), 'not a package');
  relay = await startRelay({ logDir: dir, dbPath: path.join(dir, 'relay.db'), env: { HELPPOINT_WORKERS: '1' } });
  baseUrl = relay.ready['url']!;
  browser = await launchChromium();
  page = await browser.newPage();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await relay?.stop();
  if (!process.env['HELPPOINT_KEEP_LOGS']) fs.rmSync(dir, { recursive: true, force: true });
});

const row = (terminalId: string) => page.locator(`[data-testid="rollout-row"][data-terminal="${terminalId}"]`);

describe('the updates page', () => {
  it('an admin uploads a package, is told why a bad one is refused, and rolls the version out to a terminal', async () => {
    await signInConsole(page, baseUrl, 'admin', 'demo-admin');
    await page.click('[data-testid="nav"] [data-tab="updates"]');
    await page.waitForSelector('[data-testid="updates-admin"]');
    await page.setInputFiles('[data-testid="package-file"]', deb);
    await page.click('[data-testid="package-upload"]');
    await page.locator('[data-testid="package-row"][data-version="9.9.9"]').waitFor();
    expect(await page.locator('[data-testid="package-row"]').first().innerText()).toContain('amd64');

    await page.setInputFiles('[data-testid="package-file"]', path.join(dir, 'notes.deb'));
    await page.click('[data-testid="package-upload"]');
    await page.locator('[data-testid="toast"][data-code="package_invalid"]').waitFor();
    expect(await page.locator('[data-testid="package-row"]').count()).toBe(1);

    // The terminal is offline (no kiosk runs here): the rollout waits for its next hello.
    await page.check('[data-testid="rollout-pick-XC-KG-002"]');
    await page.click('[data-testid="rollout-start"]');
    await page.waitForSelector('[data-testid="rollout-row"][data-terminal="XC-KG-002"][data-state="pending"]');
    expect(await row('XC-KG-002').innerText()).toContain('9.9.9');
    expect(await row('XC-KG-002').innerText()).toContain('等待终端上线');
    expect(await row('XC-HT-003').getAttribute('data-state')).toBe('');
    await page.click('[data-testid="logout"]');
    await page.waitForSelector('#login-username');
  }, 60_000);

  it('a technician rolls out to a group but cannot upload', async () => {
    await signInConsole(page, baseUrl, 'tech', 'demo-tech');
    await page.click('[data-testid="nav"] [data-tab="updates"]');
    await page.locator('[data-testid="package-row"][data-version="9.9.9"]').waitFor();
    expect(await page.locator('[data-testid="package-form"]').isVisible()).toBe(false);
    await page.click('[data-testid="select-kind-school"]');
    await page.click('[data-testid="rollout-start"]');
    await page.waitForSelector('[data-testid="rollout-row"][data-terminal="XC-SCH-001"][data-state="pending"]');
    await page.waitForSelector('[data-testid="rollout-row"][data-terminal="XC-SCH-004"][data-state="pending"]');
    // Only the schools: the kindergarten keeps its own rollout, the hutong terminal has none.
    expect(await row('XC-KG-002').getAttribute('data-state')).toBe('pending');
    expect(await row('XC-HT-003').getAttribute('data-state')).toBe('');
  }, 60_000);
});
