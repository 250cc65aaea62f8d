import fs from 'node:fs';

/**
 * The fields of /proc/<pid>/stat after the command name (which is in parentheses and may itself hold
 * spaces or parentheses): [0] state, [1] ppid, … [11] utime, [12] stime, [19] start time, [21] rss pages.
 * Null once the process is gone.
 */
export function statFields(pid: number): string[] | null {
  try {
    const raw = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return raw.slice(raw.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** Whether `pid` still runs. An orphan that ended stays a zombie until init reaps it (in a container, maybe never). */
export function isRunning(pid: number): boolean {
  const state = statFields(pid)?.[0];
  return state !== undefined && state !== 'Z' && state !== 'X';
}
