import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { detectGpioBase, resolveGpioBase } from './gpioBase.ts';

const roots: string[] = [];

/** Builds a fake /sys/class/gpio with the given chips. */
async function fakeSysfs(chips: Array<{ base: number; label: string }>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'gpio-'));
  roots.push(root);
  await writeFile(join(root, 'export'), '');
  for (const chip of chips) {
    const dir = join(root, `gpiochip${chip.base}`);
    await mkdir(dir);
    await writeFile(join(dir, 'base'), `${chip.base}\n`);
    await writeFile(join(dir, 'label'), `${chip.label}\n`);
    await writeFile(join(dir, 'ngpio'), '58\n');
  }
  return root;
}

afterEach(async () => {
  await Promise.all(roots.splice(0).map((r) => rm(r, { recursive: true, force: true })));
});

describe('detectGpioBase', () => {
  it('finds the Pi 4 SoC chip at 512 on kernel 6.6+, ignoring the expander', async () => {
    const root = await fakeSysfs([
      { base: 570, label: 'raspberrypi-exp-gpio' },
      { base: 512, label: 'pinctrl-bcm2711' },
    ]);
    expect(await detectGpioBase(root)).toBe(512);
  });

  it('finds the Pi 5 RP1 chip among the brcmstb ones', async () => {
    const root = await fakeSysfs([
      { base: 512, label: 'gpio-brcmstb@107d508500' },
      { base: 544, label: 'gpio-brcmstb@107d508520' },
      { base: 571, label: 'pinctrl-rp1' },
    ]);
    expect(await detectGpioBase(root)).toBe(571);
  });

  it('returns 0 on an older kernel where the bcm2835 chip starts at 0', async () => {
    const root = await fakeSysfs([
      { base: 0, label: 'pinctrl-bcm2835' },
      { base: 504, label: 'raspberrypi-exp-gpio' },
    ]);
    expect(await detectGpioBase(root)).toBe(0);
  });

  it('returns null when no Pi chip is present or sysfs is missing', async () => {
    const root = await fakeSysfs([{ base: 0, label: 'some-other-gpio' }]);
    expect(await detectGpioBase(root)).toBeNull();
    expect(await detectGpioBase(join(root, 'does-not-exist'))).toBeNull();
  });

  it('skips a chip whose files cannot be read', async () => {
    const root = await fakeSysfs([{ base: 512, label: 'pinctrl-bcm2711' }]);
    await mkdir(join(root, 'gpiochip600'));
    expect(await detectGpioBase(root)).toBe(512);
  });
});

describe('resolveGpioBase', () => {
  it('prefers an explicit base, then detection, then 0', async () => {
    const root = await fakeSysfs([{ base: 512, label: 'pinctrl-bcm2711' }]);
    expect(await resolveGpioBase({ gpioBase: 0, sysfsRoot: root })).toBe(0);
    expect(await resolveGpioBase({ sysfsRoot: root })).toBe(512);
    expect(await resolveGpioBase({ sysfsRoot: join(root, 'nope') })).toBe(0);
  });
});
