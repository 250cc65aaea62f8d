import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SCRIPT = path.join(path.dirname(new URL(import.meta.url).pathname), 'fakeGpiod.mjs');

export interface FakeGpiod {
  /** Holds gpiodetect, gpioget, gpiomon, gpioset: pass it as the cdev backend's toolsDir. */
  toolsDir: string;
  stateDir: string;
  /** What is on the wire: a level, or nothing connected ('float', the bias decides). */
  setLevel(offset: number, level: 0 | 1 | 'float'): void;
  /** From now on the line's gpiomon misses its edges. */
  deafen(offset: number): void;
  /** The level a running gpioset drives, or null when nothing holds the line. */
  held(offset: number): 0 | 1 | null;
  /** The pid of the gpiomon watching a line, from its own report. */
  monitorPid(offset: number): number | null;
  /** Every invocation so far: [tool, ...argv]. */
  calls(): string[][];
  remove(): void;
}

/** Fake libgpiod tools of one version (see fakeGpiod.mjs) in a temp dir. */
export function makeFakeGpiod(opts: { version: string; chips: string }): FakeGpiod {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-gpiod-'));
  const toolsDir = path.join(root, 'bin');
  const stateDir = path.join(root, 'state');
  fs.mkdirSync(toolsDir);
  fs.mkdirSync(stateDir);
  fs.writeFileSync(path.join(stateDir, 'version'), opts.version);
  fs.writeFileSync(path.join(stateDir, 'chips'), opts.chips);
  fs.writeFileSync(path.join(stateDir, 'log'), '');
  for (const tool of ['gpiodetect', 'gpioget', 'gpiomon', 'gpioset']) {
    const wrapper = path.join(toolsDir, tool);
    fs.writeFileSync(wrapper, `#!/bin/sh\nexec '${process.execPath}' '${SCRIPT}' ${tool} '${stateDir}' "$@"\n`);
    fs.chmodSync(wrapper, 0o755);
  }
  const read = (name: string): string | null => {
    try {
      return fs.readFileSync(path.join(stateDir, name), 'utf8').trim();
    } catch {
      return null;
    }
  };
  return {
    toolsDir,
    stateDir,
    deafen: (offset) => fs.writeFileSync(path.join(stateDir, `deaf-${offset}`), ''),
    setLevel: (offset, level) => fs.writeFileSync(path.join(stateDir, `level-${offset}`), String(level)),
    held: (offset) => {
      const v = read(`held-${offset}`);
      return v === '1' ? 1 : v === '0' ? 0 : null;
    },
    monitorPid: (offset) => {
      const v = read(`mon-${offset}`);
      return v ? (JSON.parse(v) as { pid: number }).pid : null;
    },
    calls: () =>
      (read('log') ?? '')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as string[]),
    remove: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}
