import { isRunning, statFields } from '../../relay/src/sfu/launcher/procStat.ts';

/** The parent process id of a running `pid`. */
export function parentOf(pid: number): number {
  const f = statFields(pid);
  if (!f) throw new Error(`process ${pid} is gone`);
  return Number(f[1]);
}

/** Whether `pid` runs: it exists and is not a zombie. */
export const running = isRunning;
