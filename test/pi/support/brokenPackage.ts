import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A "next version" whose kiosk cannot start: the released package unpacked,
 * re-versioned, and its entry point replaced by one that exits at once, as a
 * release with a start-up bug would. Built from the real .deb so everything
 * else (maintainer scripts, units, Node) is what an update really installs.
 */
export async function brokenNextVersion(goodDeb: string, version: string, outDir: string): Promise<string> {
  const tree = path.join(outDir, `broken-${version}`);
  fs.rmSync(tree, { recursive: true, force: true });
  await run('dpkg-deb', ['-R', goodDeb, tree], { timeout: 300_000 });
  const control = path.join(tree, 'DEBIAN/control');
  fs.writeFileSync(control, fs.readFileSync(control, 'utf8').replace(/^Version: .*$/m, `Version: ${version}`));
  fs.writeFileSync(path.join(tree, 'opt/helppoint-kiosk/VERSION'), `${version}\n`);
  const pkgJson = path.join(tree, 'opt/helppoint-kiosk/app/kiosk/package.json');
  fs.writeFileSync(pkgJson, fs.readFileSync(pkgJson, 'utf8').replace(/"version": "[^"]*"/, `"version": "${version}"`));
  fs.writeFileSync(path.join(tree, 'opt/helppoint-kiosk/app/kiosk/src/main.ts'), "console.error('kiosk: start-up bug in this build');\nprocess.exit(3);\n");
  const arch = /^Architecture: (.*)$/m.exec(fs.readFileSync(control, 'utf8'))![1];
  const deb = path.join(outDir, `helppoint-kiosk_${version}_${arch}.deb`);
  await run('dpkg-deb', ['--root-owner-group', '-Zzstd', '-z1', '--build', tree, deb], { timeout: 300_000 });
  fs.rmSync(tree, { recursive: true, force: true });
  return deb;
}
