import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pino from 'pino';
import { UpdateAgent, type UpdateSystem } from './UpdateAgent.ts';
import { AGENT_DIR } from './updateState.ts';

/**
 * `helppoint-kiosk update apply` (root; helppoint-kiosk-update.service).
 * Environment: HELPPOINT_KIOSK_STATE_DIR, HELPPOINT_UPDATE_CONFIRM_S (default
 * 180), HELPPOINT_UPDATE_STABLE_S (default 20), HELPPOINT_UPDATE_IDLE_WAIT_S
 * (default 300: one run's wait for a call to end; the next run waits again),
 * HELPPOINT_STATUS_PORT (8700).
 */
const run = promisify(execFile);
const env = process.env;
const logger = pino({ name: 'kiosk-update', level: env['HELPPOINT_LOG_LEVEL'] || 'info' });
const verb = process.argv[2];
if (verb !== 'apply') {
  console.error('usage: helppoint-kiosk update apply');
  process.exit(2);
}
const statusPort = Number(env['HELPPOINT_STATUS_PORT'] || 8700);

const system: UpdateSystem = {
  installedVersion: async () => (await run('dpkg-query', ['-W', '-f=${Version}', 'helppoint-kiosk'])).stdout.trim(),
  debFields: async (file) => {
    const out = (await run('dpkg-deb', ['-f', file, 'Package', 'Version', 'Architecture'])).stdout;
    const f = Object.fromEntries(out.trim().split('\n').map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    return { package: f['package'] ?? '', version: f['version'] ?? '', architecture: f['architecture'] ?? '' };
  },
  architecture: async () => (await run('dpkg', ['--print-architecture'])).stdout.trim(),
  install: async (file) => {
    // No network: the Depends are already installed (the offline bundle); --force-confold keeps a technician's /etc/default edits.
    await run('dpkg', ['-i', '--force-confold', file], { env: { ...env, DEBIAN_FRONTEND: 'noninteractive' }, timeout: 10 * 60_000 });
  },
  unit: async () => {
    const out = (await run('systemctl', ['show', '-p', 'ActiveState,SubState,Result,NRestarts,MainPID,ExecMainStatus', 'helppoint-kiosk.service'])).stdout;
    const p = Object.fromEntries(out.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    return { activeState: p['ActiveState'] ?? '', subState: p['SubState'] ?? '', result: p['Result'] ?? '', nRestarts: Number(p['NRestarts'] || 0), mainPid: Number(p['MainPID'] || 0), execMainStatus: p['ExecMainStatus'] ?? '' };
  },
  kioskStatus: async () => {
    try {
      const res = await fetch(`http://127.0.0.1:${statusPort}/status`, { signal: AbortSignal.timeout(3000) });
      return res.ok ? ((await res.json()) as Awaited<ReturnType<UpdateSystem['kioskStatus']>>) : null;
    } catch {
      return null;
    }
  },
};

const agent = new UpdateAgent({
  stateDir: env['HELPPOINT_KIOSK_STATE_DIR'] || '/var/lib/helppoint-kiosk',
  agentDir: env['HELPPOINT_UPDATE_AGENT_DIR'] || AGENT_DIR,
  system,
  logger,
  confirmMs: Number(env['HELPPOINT_UPDATE_CONFIRM_S'] || 180) * 1000,
  stableMs: Number(env['HELPPOINT_UPDATE_STABLE_S'] || 20) * 1000,
  pollMs: 1000,
  // Inside TimeoutStartSec=20min with the install, confirmMs and a rollback after it.
  idleWaitMs: Number(env['HELPPOINT_UPDATE_IDLE_WAIT_S'] || 300) * 1000,
});
const result = await agent.run();
process.exit(result && (result.state === 'failed' || result.state === 'rolled_back') ? 1 : 0);
