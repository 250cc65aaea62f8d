import fs from 'node:fs';

/** The parent process id of `pid`, from /proc/<pid>/stat ("pid (comm) state ppid ..."; comm may hold spaces). */
export function parentOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}
