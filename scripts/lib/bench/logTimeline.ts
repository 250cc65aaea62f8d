import fs from 'node:fs';

/** One pino JSON line: `time` is the epoch ms the process logged it at (same clock as Date.now() here). */
export interface LogEntry {
  time: number;
  msg: string;
  [key: string]: unknown;
}

/** Reads a pino JSON log file; lines that are not JSON (a crash trace) are skipped. */
export function readLog(file: string): LogEntry[] {
  const out: LogEntry[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const e = JSON.parse(line) as LogEntry;
      if (typeof e.time === 'number' && typeof e.msg === 'string') out.push(e);
    } catch {
      /* partial last line */
    }
  }
  return out;
}

/** When a matching entry was first logged in [from, to): ms after `from`, or NaN. */
export function firstAfter(entries: readonly LogEntry[], from: number, to: number, match: (e: LogEntry) => boolean): number {
  for (const e of entries) if (e.time >= from && e.time < to && match(e)) return e.time - from;
  return Number.NaN;
}
