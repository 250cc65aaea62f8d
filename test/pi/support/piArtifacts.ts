import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');

export interface PiArtifacts {
  version: string;
  deb: string;
  bundle: string;
  rootfsTar: string;
  /** Seconds each step took (a cold cache builds, a warm one copies). */
  timings: Record<string, number>;
}

/**
 * The package, its offline bundle and the Lite stand-in root, through the
 * project's own scripts (the same ones a release uses), into outDir.
 * Everything slow is cached by the scripts under /var/cache/helppoint/pi.
 */
export async function buildPiArtifacts(arch: 'amd64' | 'arm64', outDir: string, version?: string, opts: { bundle?: boolean } = {}): Promise<PiArtifacts> {
  const timings: Record<string, number> = {};
  const t0 = Date.now();
  // zstd -3: the tests' packages are thrown away; a release keeps the default level.
  const env = { ...process.env, HP_DEB_LEVEL: '3' };
  const args = ['--arch', arch, '--out', outDir, ...(version ? ['--version', version] : []), ...(opts.bundle === false ? ['--no-bundle'] : [])];
  const built = await run(path.join(ROOT, 'scripts/package-kiosk'), args, { env, timeout: 40 * 60_000, maxBuffer: 16 * 1024 * 1024 }).catch((error: { stderr?: string }) => {
    throw new Error(`scripts/package-kiosk ${args.join(' ')} failed:\n${error.stderr ?? String(error)}`);
  });
  timings['package'] = (Date.now() - t0) / 1000;
  const deb = built.stdout.trim().split('\n').pop()!;
  const v = version ?? (JSON.parse(fs.readFileSync(path.join(ROOT, 'kiosk/package.json'), 'utf8')) as { version: string }).version;
  const t1 = Date.now();
  const rootfsTar = (await run(path.join(ROOT, 'scripts/lib/pi/rootfs-tar'), [arch], { timeout: 40 * 60_000 })).stdout.trim();
  timings['rootfs'] = (Date.now() - t1) / 1000;
  return { version: v, deb, bundle: path.join(outDir, `helppoint-kiosk-${v}-${arch}-offline`), rootfsTar, timings };
}
