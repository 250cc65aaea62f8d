import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { GpioLine } from '../GpioLine.ts';
import { FakeGpioLine } from '../testing/FakeGpioLine.ts';
import { makeFakeGpiod } from '../testing/fakeGpiodTools.ts';
import { selectGpioBackend } from './selectGpioBackend.ts';
import { SysfsGpioBackend, type OnoffGpioConstructor } from './SysfsGpioBackend.ts';

/** Records what onoff would have been asked for. */
function fakeOnoff() {
  const opened: Array<{ gpio: number; direction: string; edge: string | undefined; debounceTimeout: number | undefined }> = [];
  const Gpio = function (gpio: number, direction: 'in' | 'high' | 'low', edge?: string, options?: { debounceTimeout?: number }) {
    opened.push({ gpio, direction, edge, debounceTimeout: options?.debounceTimeout });
    return new FakeGpioLine({ offset: gpio, direction }) as GpioLine;
  } as unknown as OnoffGpioConstructor;
  return { Gpio, opened };
}

describe('SysfsGpioBackend', () => {
  const roots: string[] = [];
  afterEach(async () => {
    for (const r of roots.splice(0)) await rm(r, { recursive: true, force: true });
  });

  async function sysfs(chips: Record<string, { label: string; base: number }>) {
    const root = await mkdtemp(join(tmpdir(), 'gpio-sysfs-'));
    roots.push(root);
    await writeFile(join(root, 'export'), '');
    for (const [name, c] of Object.entries(chips)) {
      await mkdir(join(root, name));
      await writeFile(join(root, name, 'label'), `${c.label}\n`);
      await writeFile(join(root, name, 'base'), `${c.base}\n`);
    }
    return root;
  }

  it('maps BCM numbers through the base found from the Pi chip label (571 on a Pi 5)', async () => {
    const root = await sysfs({ gpiochip571: { label: 'pinctrl-rp1', base: 571 }, gpiochip512: { label: 'gpio-brcmstb@107d508500', base: 512 } });
    const { Gpio, opened } = fakeOnoff();
    const backend = await SysfsGpioBackend.create({ sysfsRoot: root, Gpio, pinctrl: null });
    await backend.open({ offset: 27, direction: 'in', edge: 'both', debounceMs: 10, bias: 'pull-up' });
    expect(opened).toEqual([{ gpio: 598, direction: 'in', edge: 'both', debounceTimeout: 10 }]);
    expect(backend.description).toMatch(/BCM 0 = sysfs 571; pulls come from config.txt/);
  });

  it('an explicit base wins over detection', async () => {
    const { Gpio, opened } = fakeOnoff();
    const backend = await SysfsGpioBackend.create({ gpioBase: 512, sysfsRoot: '/nonexistent', Gpio, pinctrl: null });
    await backend.open({ offset: 17, direction: 'low' });
    expect(opened[0]).toMatchObject({ gpio: 529, direction: 'low' });
  });

  it('a failure to open names the sysfs number, the BCM pin and the base', async () => {
    const Gpio = function () {
      throw new Error('EACCES');
    } as unknown as OnoffGpioConstructor;
    const backend = await SysfsGpioBackend.create({ gpioBase: 512, Gpio, pinctrl: null });
    await expect(backend.open({ offset: 17, direction: 'in' })).rejects.toThrow(/GPIO 529 \(BCM 17, base 512\) through sysfs/);
  });

  it('sets the pull of an input with pinctrl before opening it (config.txt lines only apply after a reboot), and goes on without it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pinctrl-'));
    roots.push(dir);
    const log = join(dir, 'argv');
    const pinctrl = join(dir, 'pinctrl');
    await writeFile(pinctrl, `#!/bin/sh\necho "$@" >> '${log}'\n`, { mode: 0o755 });
    const { Gpio, opened } = fakeOnoff();
    const backend = await SysfsGpioBackend.create({ gpioBase: 512, Gpio, pinctrl });
    await backend.open({ offset: 17, direction: 'in', edge: 'both', bias: 'pull-up' });
    await backend.open({ offset: 27, direction: 'low' });
    expect((await readFile(log, 'utf8')).trim().split('\n')).toEqual(['set 17 pu']);
    expect(opened.map((o) => o.gpio)).toEqual([529, 539]);
    const without = await SysfsGpioBackend.create({ gpioBase: 512, Gpio, pinctrl: '/nonexistent/pinctrl' });
    await expect(without.open({ offset: 22, direction: 'in', bias: 'pull-up' })).resolves.toBeDefined();
  });

  it('auto: sysfs where /sys/class/gpio/export exists, else the character device, else a clear error', async () => {
    const root = await sysfs({ gpiochip512: { label: 'pinctrl-bcm2711', base: 512 } });
    expect((await selectGpioBackend({ driver: 'auto', sysfsRoot: root, devRoot: '/nonexistent' })).kind).toBe('sysfs');

    const dev = await mkdtemp(join(tmpdir(), 'gpio-dev-'));
    roots.push(dev);
    await writeFile(join(dev, 'gpiochip0'), '');
    const gpiod = makeFakeGpiod({ version: '1.6.3', chips: 'gpiochip0 [pinctrl-bcm2711] (58 lines)' });
    try {
      const cdev = await selectGpioBackend({ driver: 'auto', sysfsRoot: '/nonexistent', devRoot: dev, toolsDir: gpiod.toolsDir });
      expect(cdev.kind).toBe('cdev');
      expect(cdev.description).toBe(`character device ${dev}/gpiochip0 [pinctrl-bcm2711], libgpiod tools v1.6.3`);
      // Configured: the character device even where sysfs still exists.
      expect((await selectGpioBackend({ driver: 'cdev', sysfsRoot: root, devRoot: dev, toolsDir: gpiod.toolsDir })).kind).toBe('cdev');
    } finally {
      gpiod.remove();
    }
    await expect(selectGpioBackend({ driver: 'auto', sysfsRoot: '/nonexistent', devRoot: '/nonexistent' })).rejects.toThrow(/no GPIO interface/);
  });
});
