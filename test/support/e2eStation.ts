import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { startRelay, startSimTerminal, type Launched } from '../../scripts/lib/launch.ts';
import { launchChromium } from './browser.ts';
import { eventually, kioskStatus } from './kioskStatus.ts';

/** A temp folder for one test file's logs and database; kept when HELPPOINT_KEEP_LOGS is set. */
export function testDir(name: string): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `helppoint-${name}-`));
  return {
    dir,
    remove: () => {
      if (process.env['HELPPOINT_KEEP_LOGS']) console.log(`logs kept in ${dir}`);
      else fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface E2eStation {
  dir: string;
  relay: Launched;
  baseUrl: string;
  kiosk: Launched;
  statusUrl: string;
  browser: Browser;
  close(): Promise<void>;
}

/**
 * The usual end-to-end set-up: a relay process with the demo data, one
 * simulated terminal enrolled and connected, and Chromium. Pages are the test's.
 */
export async function startE2eStation(opts: { name: string; terminalId: string; workers?: number; kioskEnv?: Record<string, string>; chromiumArgs?: string[] }): Promise<E2eStation> {
  const t = testDir(opts.name);
  const relay = await startRelay({ logDir: t.dir, dbPath: path.join(t.dir, 'relay.db'), env: { HELPPOINT_WORKERS: String(opts.workers ?? 1) } });
  const baseUrl = relay.ready['url']!;
  const kiosk = await startSimTerminal({ relayUrl: baseUrl, terminalId: opts.terminalId, logDir: t.dir, ...(opts.kioskEnv ? { env: opts.kioskEnv } : {}) });
  const statusUrl = kiosk.ready['statusUrl']!;
  const browser = await launchChromium(opts.chromiumArgs);
  await eventually(async () => (await kioskStatus(statusUrl)).relay.connected, 15_000, 'terminal connected');
  return {
    dir: t.dir,
    relay,
    baseUrl,
    kiosk,
    statusUrl,
    browser,
    close: async () => {
      await browser.close();
      await kiosk.stop();
      await relay.stop();
      t.remove();
    },
  };
}
