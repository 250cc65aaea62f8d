import { execFile, fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { RELAY_NODE_FLAGS } from '../../relay/src/nodeFlags.ts';

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
export async function launch(opts: {
  name: string;
  script: string;
  env: Record<string, string>;
  logDir: string;
  args?: string[];
  timeoutMs?: number;
  /** Extra V8 flags for the child (see relay/src/nodeFlags.ts). */
  nodeFlags?: readonly string[];
  /** A command prefix the process runs under, e.g. `ip netns exec <ns>` (the IPC channel survives the exec). */
  wrap?: string[];
}): Promise<Launched> {
  fs.mkdirSync(opts.logDir, { recursive: true });
  const logFile = path.join(opts.logDir, `${opts.name}.log`);
  const out = fs.openSync(logFile, 'a');
  const child = fork(path.join(root, opts.script), opts.args ?? [], {
    execArgv: [...process.execArgv, ...(opts.nodeFlags ?? [])],
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', out, out, 'ipc'],
    ...(opts.wrap?.length ? { execPath: opts.wrap[0]!, execArgv: [...opts.wrap.slice(1), process.execPath, ...(opts.nodeFlags ?? [])] } : {}),
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

export function startRelay(opts: { env?: Record<string, string>; logDir: string; dbPath: string; port?: number; name?: string; timeoutMs?: number }) {
  return launch({
    name: opts.name ?? 'relay',
    ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
    script: 'relay/src/server.ts',
    nodeFlags: RELAY_NODE_FLAGS,
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

/** A staff session on a (demo) relay: the cookie to send. */
export async function signIn(relayUrl: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${relayUrl}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (res.status !== 200) throw new Error(`sign-in as ${username} failed: HTTP ${res.status} ${await res.text()}`);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

/** A technician's one-time enrolment code for a terminal record, made over the relay's API. */
export async function createEnrolmentCode(relayUrl: string, cookie: string, terminalId: string): Promise<string> {
  const res = await fetch(`${relayUrl}/api/terminals/${terminalId}/enrolment-code`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: '{}' });
  if (res.status !== 200) throw new Error(`enrolment code for ${terminalId} refused: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as { code: string }).code;
}

/** Runs the real `helppoint-kiosk enrol` CLI; resolves with its stdout, rejects with its stderr. */
export function runKioskEnrol(args: string[], env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(root, 'kiosk/src/main.ts'), 'enrol', ...args], { env: { ...process.env, ...env }, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ stdout, stderr, code });
    });
  });
}

/** Runs the relay's admin CLI (`helppoint-relay …`) against a database, with `input` on stdin. */
export function runRelayCli(args: string[], opts: { dbPath: string; input?: string }): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [path.join(root, 'relay/src/cli.ts'), ...args], { env: { ...process.env, HELPPOINT_DB: opts.dbPath }, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ stdout, stderr, code: error ? (typeof error.code === 'number' ? error.code : 1) : 0 });
    });
    child.stdin?.end(opts.input ?? '');
  });
}

/**
 * Enrols a simulated terminal the way a technician would on site: the demo
 * technician gets a one-time code from the relay, then the kiosk's own
 * `enrol` verb makes a key pair in `stateDir` and writes the config file.
 */
export async function enrolSimTerminal(opts: { relayUrl: string; terminalId: string; stateDir: string }): Promise<string> {
  const cookie = await signIn(opts.relayUrl, 'tech', 'demo-tech');
  const code = await createEnrolmentCode(opts.relayUrl, cookie, opts.terminalId);
  const r = await runKioskEnrol(['--relay', opts.relayUrl, '--code', code, '--state-dir', opts.stateDir]);
  if (r.code !== 0) throw new Error(`enrolment of ${opts.terminalId} failed: ${r.stderr}`);
  return path.join(opts.stateDir, 'kiosk.json');
}

/**
 * Enrols a simulated terminal against a relay started only for that (on the
 * given port and database) and stops it again: for tests that start the
 * terminal while its relay is down. Returns the kiosk config file.
 */
export async function preEnrolSimTerminal(opts: { logDir: string; dbPath: string; port: number; terminalId: string }): Promise<string> {
  const relay = await startRelay({ logDir: opts.logDir, dbPath: opts.dbPath, port: opts.port, name: 'relay-enrol' });
  try {
    return await enrolSimTerminal({ relayUrl: relay.ready['url']!, terminalId: opts.terminalId, stateDir: path.join(opts.logDir, `kiosk-${opts.terminalId}`) });
  } finally {
    await relay.stop();
  }
}

/** A simulated terminal process; enrolled first through the real flow unless a config file is given. */
export async function startSimTerminal(opts: { relayUrl: string; terminalId: string; logDir: string; statusPort?: number; env?: Record<string, string>; configFile?: string; wrap?: string[] }) {
  const ws = opts.relayUrl.replace(/^http/, 'ws') + '/ws/terminal';
  const configFile = opts.configFile ?? (await enrolSimTerminal({ relayUrl: opts.relayUrl, terminalId: opts.terminalId, stateDir: path.join(opts.logDir, `kiosk-${opts.terminalId}`) }));
  return launch({
    name: `kiosk-${opts.terminalId}`,
    script: 'kiosk/src/main.ts',
    args: ['run'],
    logDir: opts.logDir,
    ...(opts.wrap ? { wrap: opts.wrap } : {}),
    env: {
      HELPPOINT_KIOSK_CONFIG: configFile,
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
