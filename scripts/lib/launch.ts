import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

export interface Launched {
  child: ChildProcess;
  /** What the process announced when ready (url / statusUrl). */
  ready: Record<string, string>;
  logFile: string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts one of the project's services as a child process on the same Node,
 * waits for its "ready" message over IPC, and sends its JSON logs to a file.
 */
export async function launch(opts: { name: string; script: string; env: Record<string, string>; logDir: string; args?: string[]; timeoutMs?: number }): Promise<Launched> {
  fs.mkdirSync(opts.logDir, { recursive: true });
  const logFile = path.join(opts.logDir, `${opts.name}.log`);
  const out = fs.openSync(logFile, 'a');
  const child = fork(path.join(root, opts.script), opts.args ?? [], {
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', out, out, 'ipc'],
  });
  fs.closeSync(out);
  const ready = await new Promise<Record<string, string>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${opts.name} not ready within ${opts.timeoutMs ?? 30_000} ms; see ${logFile}`)), opts.timeoutMs ?? 30_000);
    child.on('message', (m: { type?: string }) => {
      if (m && m.type === 'ready') {
        clearTimeout(timer);
        resolve(m as Record<string, string>);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${opts.name} exited with ${code} before it was ready; see ${logFile}:\n${tail(logFile)}`));
    });
  });
  const stop = (signal: NodeJS.Signals = 'SIGTERM') =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill(signal);
    });
  return { child, ready, logFile, stop };
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '';
  }
}

export function startRelay(opts: { env?: Record<string, string>; logDir: string; dbPath: string; port?: number; name?: string }) {
  return launch({
    name: opts.name ?? 'relay',
    script: 'relay/src/server.ts',
    logDir: opts.logDir,
    env: {
      HELPPOINT_PORT: String(opts.port ?? 0),
      HELPPOINT_DB: opts.dbPath,
      HELPPOINT_DEMO: '1',
      HELPPOINT_RTC_BASE_PORT: '0',
      ...opts.env,
    },
  });
}

export function startSimTerminal(opts: { relayUrl: string; terminalId: string; logDir: string; statusPort?: number; env?: Record<string, string> }) {
  const ws = opts.relayUrl.replace(/^http/, 'ws') + '/ws/terminal';
  return launch({
    name: `kiosk-${opts.terminalId}`,
    script: 'kiosk/src/main.ts',
    args: ['run'],
    logDir: opts.logDir,
    env: {
      HELPPOINT_RELAY_URL: ws,
      HELPPOINT_TERMINAL_ID: opts.terminalId,
      HELPPOINT_SIMULATED: '1',
      HELPPOINT_STATUS_PORT: String(opts.statusPort ?? 0),
      // Each launched terminal gets its own press outbox beside its log.
      HELPPOINT_STATE_DIR: path.join(opts.logDir, `state-${opts.terminalId}`),
      ...opts.env,
    },
  });
}
