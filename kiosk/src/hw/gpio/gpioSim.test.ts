import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GpioButton } from '../GpioButton.ts';
import { GpioLed } from '../GpioLed.ts';
import { waitUntil } from '../testing/waitUntil.ts';
import { CdevGpioBackend } from './CdevGpioBackend.ts';

// The same drivers against the kernel's gpio-sim, where the machine has it
// (CONFIG_GPIO_SIM, configfs, root, and Debian's `gpiod` tools). This machine
// has none of them (no GPIOLIB, no loadable modules), so here it is skipped;
// CdevGpioBackend.test.ts runs the drivers against fake tools instead.
const CONFIGFS = '/sys/kernel/config/gpio-sim';
const haveTools = (() => {
  try {
    execFileSync('gpiodetect', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const available = fs.existsSync(CONFIGFS) && process.getuid?.() === 0 && haveTools;

describe.skipIf(!available)("against the kernel's gpio-sim", () => {
  const dir = path.join(CONFIGFS, `helppoint-${process.pid}`);
  let lineDir = '';

  beforeAll(() => {
    fs.mkdirSync(dir);
    fs.mkdirSync(path.join(dir, 'bank0'));
    fs.writeFileSync(path.join(dir, 'bank0/num_lines'), '58');
    // The label a Pi 4's SoC chip has: the backend must find it by label, whatever its number.
    fs.writeFileSync(path.join(dir, 'bank0/label'), 'pinctrl-bcm2711');
    fs.writeFileSync(path.join(dir, 'live'), '1');
    const devName = fs.readFileSync(path.join(dir, 'dev_name'), 'utf8').trim();
    const chipName = fs.readFileSync(path.join(dir, 'bank0/chip_name'), 'utf8').trim();
    lineDir = `/sys/devices/platform/${devName}/${chipName}`;
  });
  afterAll(() => {
    fs.writeFileSync(path.join(dir, 'live'), '0');
    fs.rmdirSync(path.join(dir, 'bank0'));
    fs.rmdirSync(dir);
  });

  it('a press on the simulated pin is a press; the LED line follows set()', async () => {
    const backend = await CdevGpioBackend.create({});
    expect(backend.chip.label).toBe('pinctrl-bcm2711');
    const button = await GpioButton.create({ gpio: 17, backend });
    const led = await GpioLed.create({ gpio: 27, backend });
    try {
      const events: string[] = [];
      button.on('press', () => events.push('press'));
      expect(button.readNow()).toBe(false); // the driver's own pull-up holds the line high
      await new Promise((r) => setTimeout(r, 300));
      fs.writeFileSync(path.join(lineDir, 'sim_gpio17/pull'), 'pull-down'); // pressed: shorted to ground
      await new Promise((r) => setTimeout(r, 150));
      fs.writeFileSync(path.join(lineDir, 'sim_gpio17/pull'), 'pull-up');
      await waitUntil(() => events.length === 1);
      led.set('on');
      await waitUntil(() => fs.readFileSync(path.join(lineDir, 'sim_gpio27/value'), 'utf8').trim() === '1');
    } finally {
      await button.close();
      await led.close();
    }
  });
});
