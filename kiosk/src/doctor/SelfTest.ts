import type { SelfTestLine, SelfTestReport, SelfTestStatus } from '@helppoint/shared';

export interface CheckContext {
  /** Aborted when a resident presses for help: the check stops and gives the hardware back. */
  signal: AbortSignal;
  /** A prompt for the technician standing at the terminal ("press the button now"). */
  prompt(text: string): void;
}

export interface CheckResult {
  status: SelfTestStatus;
  detail: string;
}

export interface Check {
  /** Stable id on the wire, e.g. "speaker-mic". */
  name: string;
  /** What the technician reads: Chinese, then English. */
  title: string;
  run(ctx: CheckContext): Promise<CheckResult>;
  timeoutMs?: number;
}

export interface RunOptions {
  trigger: SelfTestReport['trigger'];
  signal?: AbortSignal;
  /** Each line as soon as it is known (the doctor prints them one by one). */
  onLine?: (line: SelfTestLine, check: Check) => void;
  onPrompt?: (text: string, check: Check) => void;
  now?: () => number;
}

/**
 * Runs checks one after another (they share the speaker, microphone and
 * camera). A check that throws or hangs fails with the reason instead of
 * ending the run: the point of a self-test is to report every broken part.
 */
export async function runSelfTest(checks: readonly Check[], opts: RunOptions): Promise<SelfTestReport> {
  const now = opts.now ?? Date.now;
  const startedAt = now();
  const lines: SelfTestLine[] = [];
  for (const check of checks) {
    const t0 = performance.now();
    let result: CheckResult;
    if (opts.signal?.aborted) {
      result = { status: 'skip', detail: 'interrupted by a help call' };
    } else {
      const abort = new AbortController();
      const onOuterAbort = () => abort.abort();
      opts.signal?.addEventListener('abort', onOuterAbort);
      let timer: ReturnType<typeof setTimeout> | null = null;
      const timeoutMs = check.timeoutMs ?? 15_000;
      try {
        result = await Promise.race([
          check.run({ signal: abort.signal, prompt: (text) => opts.onPrompt?.(text, check) }),
          new Promise<CheckResult>((resolve) => {
            timer = setTimeout(() => {
              abort.abort();
              resolve({ status: 'fail', detail: `no result within ${timeoutMs} ms` });
            }, timeoutMs);
          }),
        ]);
      } catch (err) {
        result = { status: 'fail', detail: `error: ${err instanceof Error ? err.message : String(err)}` };
      } finally {
        if (timer) clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onOuterAbort);
        abort.abort(); // whatever the check still holds is released
      }
      if (opts.signal?.aborted && result.status !== 'pass') result = { status: 'skip', detail: 'interrupted by a help call' };
    }
    const line: SelfTestLine = { check: check.name, status: result.status, detail: result.detail.slice(0, 300), ms: Math.round(performance.now() - t0) };
    lines.push(line);
    opts.onLine?.(line, check);
  }
  return { startedAt, finishedAt: now(), trigger: opts.trigger, passed: lines.every((l) => l.status !== 'fail'), lines };
}
