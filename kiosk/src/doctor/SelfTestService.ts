import type { Logger } from 'pino';
import type { SelfTestLine, SelfTestReport } from '@helppoint/shared';
import { msUntilHour } from './nightly.ts';
import { runSelfTest, type Check } from './SelfTest.ts';

export interface SelfTestServiceOptions {
  /** The checks to run; `interactive` adds those needing a person (the button). */
  checks: (interactive: boolean) => Check[];
  /** True while no call is in progress: a self-test never takes the hardware from a resident. */
  isIdle: () => boolean;
  /** Sends a report to the relay; rejects when it cannot (it is kept and sent later). */
  send: (report: SelfTestReport) => Promise<void>;
  /** Local hour for the nightly run; null disables it. */
  nightlyHour: number | null;
  logger: Logger;
  /** When the nightly slot finds a call in progress, try again this much later. */
  retryBusyMs?: number;
}

export class SelfTestBusyError extends Error {
  readonly code = 'selftest_busy';
}

/**
 * Runs the self-test nightly and on demand (doctor), one at a time, only
 * while the terminal is idle, and aborts it the moment a resident presses
 * for help. The last report is kept for the status page and sent to the
 * relay, again after a reconnect if sending failed.
 */
export class SelfTestService {
  readonly #o: SelfTestServiceOptions;
  readonly #log: Logger;
  #running: AbortController | null = null;
  #last: SelfTestReport | null = null;
  #unsent: SelfTestReport | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #closed = false;

  constructor(opts: SelfTestServiceOptions) {
    this.#o = opts;
    this.#log = opts.logger.child({ component: 'selftest' });
  }

  get last(): SelfTestReport | null {
    return this.#last;
  }

  get running(): boolean {
    return this.#running !== null;
  }

  startNightly(): void {
    if (this.#o.nightlyHour === null || this.#closed) return;
    this.#schedule(msUntilHour(new Date(), this.#o.nightlyHour));
  }

  /** A help call started: stop the test and give the hardware back. */
  interrupt(): void {
    if (this.#running) {
      this.#log.info('help call during self-test: aborting it');
      this.#running.abort();
    }
  }

  async run(
    trigger: SelfTestReport['trigger'],
    hooks: { onLine?: (line: SelfTestLine, title: string) => void; onPrompt?: (text: string) => void } = {},
  ): Promise<SelfTestReport> {
    if (this.#running) throw new SelfTestBusyError('a self-test is already running');
    if (!this.#o.isIdle()) throw new SelfTestBusyError('a help call is in progress; try again when it has ended');
    const abort = new AbortController();
    this.#running = abort;
    this.#log.info({ trigger }, 'self-test started');
    try {
      const report = await runSelfTest(this.#o.checks(trigger === 'doctor'), {
        trigger,
        signal: abort.signal,
        onLine: (line, check) => hooks.onLine?.(line, check.title),
        onPrompt: (text) => hooks.onPrompt?.(text),
      });
      this.#last = report;
      const failed = report.lines.filter((l) => l.status === 'fail');
      if (report.passed) this.#log.info({ trigger, lines: report.lines }, 'self-test passed');
      else this.#log.warn({ trigger, failed }, 'self-test FAILED');
      this.#unsent = report;
      void this.flush();
      return report;
    } finally {
      this.#running = null;
    }
  }

  /** Sends the last report if the relay has not got it yet (call after every reconnect). */
  async flush(): Promise<void> {
    const report = this.#unsent;
    if (!report) return;
    try {
      await this.#o.send(report);
      if (this.#unsent === report) this.#unsent = null;
    } catch (err) {
      this.#log.info({ err: err instanceof Error ? err.message : String(err) }, 'self-test report not sent yet; will retry after reconnect');
    }
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#running?.abort();
  }

  #schedule(ms: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#nightly(), ms);
    this.#timer.unref?.();
  }

  async #nightly(): Promise<void> {
    if (this.#closed || this.#o.nightlyHour === null) return;
    try {
      await this.run('nightly');
      this.#schedule(msUntilHour(new Date(), this.#o.nightlyHour));
    } catch (err) {
      const retry = this.#o.retryBusyMs ?? 10 * 60_000;
      this.#log.info({ err: err instanceof Error ? err.message : String(err), retryInMs: retry }, 'nightly self-test postponed');
      this.#schedule(retry);
    }
  }
}
