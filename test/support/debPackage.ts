import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** A real (tiny) Debian package, built by dpkg-deb in dir/build; payloadBytes of random data make it about that big. */
export function buildDeb(dir: string, name: string, fields: { package?: string; version: string; arch?: string }, payloadBytes = 1000): Buffer {
  const root = path.join(dir, 'build', name);
  fs.mkdirSync(path.join(root, 'DEBIAN'), { recursive: true });
  fs.mkdirSync(path.join(root, 'opt', 'helppoint-kiosk'), { recursive: true });
  fs.writeFileSync(
    path.join(root, 'DEBIAN', 'control'),
    `Package: ${fields.package ?? 'helppoint-kiosk'}\nVersion: ${fields.version}\nArchitecture: ${fields.arch ?? 'amd64'}\nMaintainer: HelpPoint <dev@helppoint.local>\nDescription: test package\n`,
  );
  // Random bytes do not compress: the package is about this big.
  fs.writeFileSync(path.join(root, 'opt', 'helppoint-kiosk', 'payload.bin'), randomBytes(payloadBytes));
  const out = path.join(dir, 'build', `${name}.deb`);
  execFileSync('dpkg-deb', ['--build', '--root-owner-group', root, out], { stdio: 'ignore' });
  return fs.readFileSync(out);
}
