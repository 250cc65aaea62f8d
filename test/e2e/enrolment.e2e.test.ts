import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { runKioskEnrol, runRelayCli, startRelay, startSimTerminal, type Launched } from '../../scripts/lib/launch.ts';
import { launchChromium, signInConsole, videoStats } from '../support/browser.ts';
import { eventually, kioskStatus, pressButton } from '../support/kioskStatus.ts';

/**
 * A station from nothing: the first admin from the relay CLI (no demo
 * accounts, no default passwords), accounts made in the console, a technician
 * registers a new hutong terminal and gets a one-time code, the Pi enrols with
 * `helppoint-kiosk enrol`, and its first press rings an officer who answers.
 */
const TERMINAL = 'XC-HT-021';
let dir: string;
let relay: Launched;
let kiosk: Launched | undefined;
let browser: Browser;
let page: Page;
let baseUrl: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-enrol-e2e-'));
  const dbPath = path.join(dir, 'relay.db');
  const admin = await runRelayCli(['user', 'add', '--username', 'chief', '--role', 'admin', '--display-name', '所长 刘伟', '--password-stdin'], { dbPath, input: 'station-admin-pass\n' });
  expect(admin.code, admin.stderr).toBe(0);
  relay = await startRelay({ logDir: dir, dbPath, env: { HELPPOINT_DEMO: '0', HELPPOINT_WORKERS: '1' } });
  baseUrl = relay.ready['url']!;
  browser = await launchChromium();
  page = await browser.newPage();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await kiosk?.stop();
  await relay?.stop();
  if (process.env['HELPPOINT_KEEP_LOGS']) console.log(`logs kept in ${dir}`);
  else fs.rmSync(dir, { recursive: true, force: true });
});

const tabs = async () => page.$$eval('[data-testid="nav"] [data-tab]', (els) => els.map((e) => (e as HTMLElement).dataset['tab']));
async function signOut(): Promise<void> {
  await page.click('[data-testid="logout"]');
  await page.waitForSelector('#login-username');
}

describe('enrol a fresh terminal, from code to its first call', () => {
  it('without a demo there is no account but the CLI admin', async () => {
    await page.goto(`${baseUrl}/`);
    await page.fill('#login-username', 'admin');
    await page.fill('#login-password', 'demo-admin');
    await page.click('#login-submit');
    const error = page.locator('[data-testid="login-error"]:not([hidden])');
    await error.waitFor();
    await expect(error.innerText()).resolves.toContain('invalid_credentials');
    expect(await page.getAttribute('#app', 'data-view')).toBe('login');
  });

  it('the admin creates a technician and an officer in the console', async () => {
    await signInConsole(page, baseUrl, 'chief', 'station-admin-pass');
    expect(await tabs()).toEqual(['desk', 'map', 'history', 'report', 'fleet', 'terminals', 'updates', 'accounts', 'audit', 'password']);
    await page.click('[data-testid="nav-accounts"]');
    for (const [username, name, role, password] of [
      ['tech1', '运维技术员 吴刚', 'technician', 'tech-pass-0001'],
      ['duty1', '值班民警 郑丽', 'officer', 'duty-pass-0001'],
    ] as const) {
      await page.fill('[data-testid="new-username"]', username);
      await page.fill('[data-testid="new-display-name"]', name);
      await page.selectOption('[data-testid="new-role"]', role);
      await page.fill('[data-testid="new-password"]', password);
      await page.click('[data-testid="account-create"]');
      await page.waitForSelector(`[data-testid="account-row"][data-username="${username}"]`);
    }
    await signOut();
  });

  it('the technician registers the terminal and gets a one-time code; the Pi enrols with it', async () => {
    await signInConsole(page, baseUrl, 'tech1', 'tech-pass-0001');
    expect(await tabs()).toEqual(['fleet', 'terminals', 'updates', 'password']);
    await page.click('[data-testid="nav-terminals"]');
    await page.fill('[data-testid="terminal-id"]', TERMINAL);
    await page.fill('[data-testid="terminal-name"]', '东煤厂胡同 北口');
    await page.fill('[data-testid="terminal-name-en"]', 'Dongmeichang Hutong, north entrance');
    await page.fill('[data-testid="terminal-address"]', '北京市西城区东煤厂胡同北口');
    await page.fill('[data-testid="terminal-hutong"]', '东煤厂胡同');
    await page.selectOption('[data-testid="terminal-kind"]', 'hutong');
    await page.fill('[data-testid="terminal-latitude"]', '39.9381');
    await page.fill('[data-testid="terminal-longitude"]', '116.3868');
    await page.fill('[data-testid="terminal-notes"]', '北口东侧墙挂式');
    await page.click('[data-testid="terminal-save"]');
    const row = page.locator(`[data-testid="terminal-admin-row"][data-terminal-id="${TERMINAL}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-state')).toBe('unenrolled');

    await page.click(`[data-testid="code-${TERMINAL}"]`);
    const code = (await page.locator('[data-testid="enrolment-code"]').innerText()).trim();
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);

    const stateDir = path.join(dir, 'pi');
    const wrong = await runKioskEnrol(['--relay', baseUrl, '--code', 'ZZZZ-ZZZZ-ZZZZ', '--state-dir', stateDir]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('enrolment_code_invalid');
    expect(fs.existsSync(path.join(stateDir, 'device-key.pem'))).toBe(false);

    const enrolled = await runKioskEnrol(['--relay', baseUrl, '--code', code, '--state-dir', stateDir]);
    expect(enrolled.code, enrolled.stderr).toBe(0);
    expect(enrolled.stdout).toContain(`enrolled: ${TERMINAL} 东煤厂胡同 北口`);
    const fingerprint = /key fingerprint: (\S+)/.exec(enrolled.stdout)![1]!;
    expect(fs.statSync(path.join(stateDir, 'device-key.pem')).mode & 0o777).toBe(0o600);
    const config = JSON.parse(fs.readFileSync(path.join(stateDir, 'kiosk.json'), 'utf8')) as Record<string, string>;
    expect(config).toMatchObject({ terminalId: TERMINAL, relayUrl: `${baseUrl.replace('http', 'ws')}/ws/terminal` });
    expect(fs.readFileSync(path.join(stateDir, 'kiosk.json'), 'utf8')).not.toContain('PRIVATE KEY');

    // the same code a second time is refused
    const again = await runKioskEnrol(['--relay', baseUrl, '--code', code, '--state-dir', path.join(dir, 'pi2')]);
    expect(again.stderr).toContain('enrolment_code_used');

    await page.click('[data-testid="nav-fleet"]');
    await page.click('[data-testid="nav-terminals"]');
    await eventually(async () => (await row.getAttribute('data-state')) === 'enrolled', 5000, 'row shows enrolled');
    await expect(row.innerText()).resolves.toContain(fingerprint);

    kiosk = await startSimTerminal({ relayUrl: baseUrl, terminalId: TERMINAL, logDir: dir, configFile: path.join(stateDir, 'kiosk.json') });
    await eventually(async () => (await kioskStatus(kiosk!.ready['statusUrl']!)).relay.connected, 15_000, 'enrolled terminal connected');
    await signOut();
  });

  it('its first press rings the officer, who answers', async () => {
    await signInConsole(page, baseUrl, 'duty1', 'duty-pass-0001');
    expect(await tabs()).toEqual(['desk', 'map', 'history', 'fleet', 'password']);
    await page.waitForSelector(`[data-testid="terminal-row"][data-terminal-id="${TERMINAL}"][data-online="true"]`);
    const statusUrl = kiosk!.ready['statusUrl']!;
    await pressButton(statusUrl);
    const card = page.locator('[data-testid="call-card"][data-state="ringing"]');
    await card.waitFor({ timeout: 10_000 });
    await expect(card.locator('[data-testid="call-location-id"]').innerText()).resolves.toBe(TERMINAL);
    await expect(card.locator('[data-testid="call-address"]').innerText()).resolves.toContain('东煤厂胡同');
    await card.locator('[data-testid="answer"]').click();
    await page.locator('[data-testid="call-card"][data-state="answered"]').waitFor({ timeout: 10_000 });
    await eventually(async () => (await kioskStatus(statusUrl)).call.state === 'connected', 10_000, 'terminal in call');
    // The officer sees the new terminal's picture before hanging up (and that view is audited).
    const video = '[data-testid="call-card"][data-state="answered"] video[data-testid="call-video"]';
    await eventually(async () => (await videoStats(page, video)).frames > 3, 15_000, 'live video from the new terminal');
    await page.locator('[data-testid="call-card"][data-state="answered"] [data-testid="hangup"]').click();
    await eventually(async () => (await kioskStatus(statusUrl)).call.state === 'idle', 10_000, 'terminal idle again');
    await signOut();
    // signed out means signed out: the session cookie no longer works
    const me = await page.evaluate(async () => (await fetch('/api/me')).status);
    expect(me).toBe(401);
  });

  it('the admin sees it all in the audit log', async () => {
    await signInConsole(page, baseUrl, 'chief', 'station-admin-pass');
    await page.click('[data-testid="nav-audit"]');
    await page.waitForSelector('[data-testid="audit-row"]');
    const actions = await page.$$eval('[data-testid="audit-row"]', (rows) => rows.map((r) => `${(r as HTMLElement).dataset['action']}:${(r as HTMLElement).dataset['outcome']}`));
    for (const a of ['user.create:ok', 'terminal.create:ok', 'enrolment.code:ok', 'terminal.enrol:ok', 'terminal.enrol:refused', 'call.answer:ok', 'camera.view:ok', 'user.login:refused']) {
      expect(actions).toContain(a);
    }
  });
});
