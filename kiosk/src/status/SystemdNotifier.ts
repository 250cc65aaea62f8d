import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from 'pino';

/**
 * sd_notify without a native addon. Node cannot open a unix datagram socket,
 * so one long-lived `socat` child forwards each line we write to
 * $NOTIFY_SOCKET as a datagram. Long-lived matters: systemd attributes a
 * notification to a unit by the sender's cgroup, which fails for a short-lived
 * `systemd-notify` that has already exited (and the unit needs
 * NotifyAccess=all because the sender is not the main PID).
 *
 * The watchdog ping runs on the event loop, so a hung loop stops the pings
 * and systemd restarts the service (WatchdogSec in deploy/helppoint-kiosk.service).
 */
export class SystemdNotifier {
  readonly #child: ChildProcess;
  readonly #log: Logger;
  #timer: ReturnType<typeof setInterval> | null = null;
  #closed = false;

  private constructor(child: ChildProcess, log: Logger) {
    this.#child = child;
    this.#log = log;
    child.on('error', (err) => this.#log.error({ err: err.message }, 'sd_notify helper failed (is socat installed?)'));
    child.on('exit', (code) => {
      if (!this.#closed) this.#log.error({ code }, 'sd_notify helper exited; systemd will no longer hear from this service');
    });
    child.stdin?.on('error', () => undefined);
  }

  /** null when not started by systemd with Type=notify (no NOTIFY_SOCKET). */
  static fromEnv(env: NodeJS.ProcessEnv, logger: Logger): SystemdNotifier | null {
    const socket = env['NOTIFY_SOCKET'];
    if (!socket) return null;
    // "@name" is a socket in the abstract namespace.
    const address = socket.startsWith('@') ? `ABSTRACT-SENDTO:${socket.slice(1)}` : `UNIX-SENDTO:${socket}`;
    const child = spawn('socat', ['-u', 'STDIN', address], { stdio: ['pipe', 'ignore', 'inherit'] });
    const notifier = new SystemdNotifier(child, logger.child({ component: 'systemd' }));
    const usec = Number(env['WATCHDOG_USEC']);
    const forPid = env['WATCHDOG_PID'];
    if (Number.isFinite(usec) && usec > 0 && (!forPid || Number(forPid) === process.pid)) notifier.#startWatchdog(usec / 1000);
    return notifier;
  }

  #send(message: string): void {
    if (this.#closed || !this.#child.stdin?.writable) return;
    this.#child.stdin.write(`${message}\n`);
  }

  ready(status: string): void {
    this.#send(`READY=1\nSTATUS=${status.replace(/\n/g, ' ')}`);
  }

  status(status: string): void {
    this.#send(`STATUS=${status.replace(/\n/g, ' ')}`);
  }

  stopping(): void {
    this.#send('STOPPING=1');
  }

  /** Pings at half the interval systemd asked for, the usual margin. */
  #startWatchdog(intervalMs: number): void {
    this.#log.info({ intervalMs }, 'systemd watchdog armed');
    this.#timer = setInterval(() => this.#send('WATCHDOG=1'), Math.max(100, intervalMs / 2));
  }

  close(): void {
    if (this.#closed) return;
    if (this.#timer) clearInterval(this.#timer);
    this.#child.stdin?.end();
    this.#closed = true;
  }
}
