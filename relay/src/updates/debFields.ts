import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface DebFields {
  package: string;
  version: string;
  architecture: string;
}

/**
 * Package, Version and Architecture from a .deb's control file, read by
 * dpkg-deb (on every Debian relay) rather than by unpacking ar + tar by hand.
 * Rejects when the file is not a Debian package.
 */
export async function readDebFields(file: string): Promise<DebFields> {
  const { stdout } = await run('dpkg-deb', ['-f', file, 'Package', 'Version', 'Architecture'], { timeout: 30_000, maxBuffer: 64 * 1024 });
  const fields = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
    if (m) fields.set(m[1]!.toLowerCase(), m[2]!.trim());
  }
  return { package: fields.get('package') ?? '', version: fields.get('version') ?? '', architecture: fields.get('architecture') ?? '' };
}
