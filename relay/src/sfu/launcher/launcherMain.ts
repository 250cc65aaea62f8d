// The relay's process launcher (see ProcessLauncher.ts): a small Node process,
// forked once when the relay starts, that starts the relay's ffmpeg and ffprobe
// processes on its behalf. Forking the relay itself copied its page tables and
// left every page it wrote next to fault once: the next press paid for it.
// Self-contained: Node loads it directly.
import { spawn, type ChildProcess } from 'node:child_process';
import type { LauncherEvent, LauncherRequest } from './protocol.ts';

const children = new Map<number, ChildProcess>();

function send(event: LauncherEvent): void {
  if (process.connected) process.send!(event);
}

function start(req: Extract<LauncherRequest, { t: 'spawn' }>): void {
  const { id } = req;
  const child = spawn(req.file, req.args, { stdio: [req.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  children.set(id, child);
  // A process that died before reading its input must not take the launcher with it (EPIPE).
  child.stdin?.on('error', () => undefined);
  if (child.pid !== undefined) send({ t: 'spawned', id, pid: child.pid });
  child.stdout!.on('data', (data: Buffer) => send({ t: 'stdout', id, data }));
  child.stderr!.on('data', (data: Buffer) => send({ t: 'stderr', id, data }));
  child.on('error', (err: NodeJS.ErrnoException) => send({ t: 'error', id, message: err.message, code: err.code ?? null }));
  // 'close', not 'exit': what the process wrote last is forwarded before its end.
  child.on('close', (code, signal) => {
    children.delete(id);
    send({ t: 'exit', id, code, signal });
  });
}

process.on('message', (req: LauncherRequest) => {
  if (req.t === 'spawn') return start(req);
  const child = children.get(req.id);
  if (!child) return;
  if (req.t === 'stdin') child.stdin?.write(req.data);
  else if (req.t === 'stdinEnd') child.stdin?.end();
  else if (req.t === 'kill') child.kill(req.signal);
});

// The relay is gone: its recordings' ffmpegs finish their files on their own (their media stops,
// and their idle timeout ends them), as they would have as the relay's own children.
process.on('disconnect', () => process.exit(0));
send({ t: 'ready' });
