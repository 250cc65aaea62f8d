import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import pino from 'pino';
import { enrol } from '../enrol/enrolCommand.ts';
import { GpioLed } from '../hw/GpioLed.ts';
import { selectGpioBackend } from '../hw/gpio/selectGpioBackend.ts';
import { AlsaSpeaker } from '../hw/AlsaSpeaker.ts';
import { SimLed } from '../hw/SimLed.ts';
import { SimRoom } from '../hw/SimRoom.ts';
import { ProvisionFeedback } from './feedback.ts';
import { Provisioner } from './Provisioner.ts';

/**
 * `helppoint-kiosk provision` (root, from helppoint-provision.service at boot).
 * Environment: HELPPOINT_BOOT_DIR (default: /boot/firmware, else /boot),
 * HELPPOINT_KIOSK_STATE_DIR, HELPPOINT_SIMULATED=1 (LED and speaker simulated,
 * as for the service), HELPPOINT_PROVISION_WAIT_S (default 600).
 * Exit 0 when enrolled (or already), 1 otherwise: the unit shows as failed.
 */
const env = process.env;
const logger = pino({ name: 'kiosk-provision', level: env['HELPPOINT_LOG_LEVEL'] || 'info' });
const bootDir = env['HELPPOINT_BOOT_DIR'] || (['/boot/firmware', '/boot'].find((d) => fs.existsSync(path.join(d, 'helppoint.txt'))) ?? '/boot/firmware');
const stateDir = env['HELPPOINT_KIOSK_STATE_DIR'] || '/var/lib/helppoint-kiosk';
const here = path.dirname(new URL(import.meta.url).pathname);
const simulated = env['HELPPOINT_SIMULATED'] === '1';

// The LED and speaker are the service's; provisioning runs before it starts, so they are free.
const led = simulated
  ? new SimLed()
  : await selectGpioBackend({ driver: 'auto', logger })
      .then((backend) => GpioLed.create({ gpio: Number(env['HELPPOINT_LED_GPIO'] || 27), backend, logger }))
      .catch((err: unknown) => {
        logger.warn({ err }, 'no LED; provisioning continues without it');
        return new SimLed();
      });
const speaker = simulated ? new SimRoom({ logger }).speaker : new AlsaSpeaker({ device: env['HELPPOINT_PLAYBACK_DEVICE'] || 'default', logger });
const feedback = new ProvisionFeedback({ led, speaker, promptDirs: [path.resolve(here, '../../prompts/generated')], logger });

const provisioner = new Provisioner({
  bootDir,
  stateDir,
  feedback,
  logger,
  enrol: (argv) => enrol(argv, env),
  relayDate,
  builtAt: fs.statSync(path.resolve(here, '../../package.json')).mtimeMs,
  waitMs: Number(env['HELPPOINT_PROVISION_WAIT_S'] || 600) * 1000,
  retryMs: 5000,
  owner: serviceUser(),
});
const result = await provisioner.run();
await feedback.close();
if (result.outcome === 'enrolled' && env['INVOCATION_ID']) {
  // Under systemd at boot the queued service job starts by itself (Before=); started by hand, start it now.
  spawnSync('systemctl', ['--no-block', 'start', 'helppoint-kiosk.service'], { stdio: 'inherit' });
}
process.exit(result.outcome === 'enrolled' || result.outcome === 'already_enrolled' ? 0 : 1);

function serviceUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  try {
    const [uid, gid] = ['-u', '-g'].map((f) => Number(execFileSync('id', [f, 'helppoint'], { encoding: 'utf8' }).trim()));
    return { uid: uid!, gid: gid! };
  } catch {
    return null;
  }
}

/** The relay's Date header: any answer has one; null when it cannot be reached. */
function relayDate(relay: string, ca: Buffer | undefined): Promise<number | null> {
  const url = new URL(`${relay.replace(/\/+$/, '')}/healthz`);
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const req = lib.get(url, { timeout: 5000, ...(ca ? { ca } : {}) }, (res) => {
      res.resume();
      const date = Date.parse(res.headers.date ?? '');
      resolve(Number.isFinite(date) ? date : null);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
  });
}
