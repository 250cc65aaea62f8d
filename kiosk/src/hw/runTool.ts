import { execFile } from 'node:child_process';
import path from 'node:path';

/** Runs one tool to completion and returns its stdout; the error carries the tool's stderr. */
export function runTool(command: string, args: string[], timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) {
        const why = stderr.trim().split('\n').slice(-2).join(' ') || err.message;
        reject(new Error(`${path.basename(command)} ${args.join(' ')}: ${why}`, { cause: err }));
      } else resolve(stdout);
    });
  });
}

