/**
 * Call set-up latency over N presses (default 20), with real parts: a
 * simulated terminal process, the relay with its mediasoup workers, and the
 * console in Chromium. Prints press→console-ring and press→first decoded
 * frame (preview while ringing): p50 / p95 / max, in milliseconds.
 *   node scripts/bench-call-setup.ts [presses]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRelay, startSimTerminal } from './lib/launch.ts';
import { launchChromium, signInConsole } from '../test/support/browser.ts';
import { eventually, kioskStatus, pressButton } from '../test/support/kioskStatus.ts';

const presses = Number(process.argv[2] ?? 20);
const TERMINAL = 'XC-SCH-001';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-bench-'));

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

const relay = await startRelay({ logDir: dir, dbPath: path.join(dir, 'relay.db') });
const baseUrl = relay.ready['url']!;
const kiosk = await startSimTerminal({ relayUrl: baseUrl, terminalId: TERMINAL, logDir: dir });
const statusUrl = kiosk.ready['statusUrl']!;
const browser = await launchChromium();
const ring: number[] = [];
const frame: number[] = [];
try {
  const page = await browser.newPage();
  await signInConsole(page, baseUrl, 'officer1', 'demo-officer1');
  await eventually(async () => (await kioskStatus(statusUrl)).relay.connected, 15_000, 'terminal connected');
  for (let i = 0; i < presses; i++) {
    // Watch in the page for the ringing card and the first decoded frame of its video.
    await page.evaluate(() => {
      const w = window as unknown as { __bench: { ringAt: number | null; frameAt: number | null } };
      w.__bench = { ringAt: null, frameAt: null };
      const check = () => {
        const card = document.querySelector('[data-testid="call-card"][data-state="ringing"]');
        if (card && w.__bench.ringAt === null) w.__bench.ringAt = Date.now();
        const v = card?.querySelector('video[data-testid="call-video"]') as HTMLVideoElement | null;
        if (v && w.__bench.frameAt === null && v.getVideoPlaybackQuality().totalVideoFrames > 0) w.__bench.frameAt = Date.now();
        if (w.__bench.frameAt === null) requestAnimationFrame(check);
      };
      new MutationObserver(check).observe(document.body, { subtree: true, childList: true, attributes: true });
      requestAnimationFrame(check);
    });
    const t0 = Date.now();
    await pressButton(statusUrl);
    const got = await eventually(
      () => page.evaluate(() => (window as unknown as { __bench: { ringAt: number | null; frameAt: number | null } }).__bench).then((b) => (b.frameAt ? b : null)),
      15_000,
      'first frame',
    );
    ring.push(got.ringAt! - t0);
    frame.push(got.frameAt! - t0);
    process.stderr.write(`press ${i + 1}/${presses}: ring ${got.ringAt! - t0} ms, first frame ${got.frameAt! - t0} ms\n`);
    await pressButton(statusUrl, 'long-press');
    await eventually(async () => (await kioskStatus(statusUrl)).call.state === 'idle', 10_000, 'idle');
    await page.waitForSelector('[data-testid="call-card"][data-state="ringing"]', { state: 'detached', timeout: 10_000 });
  }
} finally {
  await browser.close();
  await kiosk.stop();
  await relay.stop();
}

const row = (name: string, v: number[]) => `| ${name} | ${pct(v, 50)} | ${pct(v, 95)} | ${Math.max(...v)} |`;
console.log(`call set-up, ${presses} presses, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}, ${new Date().toISOString()}`);
console.log('| latency (ms) | p50 | p95 | max |');
console.log('| --- | --- | --- | --- |');
console.log(row('press → console ring', ring));
console.log(row('press → first decoded frame', frame));
fs.rmSync(dir, { recursive: true, force: true });
