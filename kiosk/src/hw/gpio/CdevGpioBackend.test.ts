import { afterEach, describe, expect, it } from 'vitest';
import { GpioButton } from '../GpioButton.ts';
import { GpioLed } from '../GpioLed.ts';
import { GpioTamper } from '../GpioTamper.ts';
import { makeFakeGpiod, type FakeGpiod } from '../testing/fakeGpiodTools.ts';
import { waitUntil } from '../testing/waitUntil.ts';
import { CdevGpioBackend, GpioChipNotFoundError, pickGpioChip } from './CdevGpioBackend.ts';
import { parseGpiodetect } from './gpiodTools.ts';

// This machine's kernel has no GPIO character device and no gpio-sim module
// (CONFIG_GPIOLIB is off, no loadable modules), so these tests run the real
// drivers, child processes and all, against fake libgpiod tools that accept
// only the real tools' command lines (see testing/fakeGpiod.mjs).

/** gpiodetect on a Pi 4 (Bookworm, kernel 6.6): the SoC chip is not the only one, nor always number 0. */
const PI4_CHIPS = 'gpiochip0 [pinctrl-bcm2711] (58 lines)\ngpiochip1 [raspberrypi-exp-gpio] (8 lines)';
/** gpiodetect on a Pi 5 (kernel 6.6.20+): RP1's header GPIOs, plus the SoC's own controllers. */
const PI5_CHIPS = [
  'gpiochip0 [pinctrl-rp1] (54 lines)',
  'gpiochip10 [gpio-brcmstb@107d508500] (32 lines)',
  'gpiochip11 [gpio-brcmstb@107d508520] (4 lines)',
  'gpiochip12 [gpio-brcmstb@107d517c00] (17 lines)',
  'gpiochip13 [gpio-brcmstb@107d517c20] (6 lines)',
].join('\n');

describe('choosing the GPIO chip by label', () => {
  it('finds pinctrl-bcm2711 on a Pi 4 and pinctrl-rp1 on a Pi 5, whatever their numbers', () => {
    expect(pickGpioChip(parseGpiodetect(PI4_CHIPS)).name).toBe('gpiochip0');
    expect(pickGpioChip(parseGpiodetect(`gpiochip0 [raspberrypi-exp-gpio] (8 lines)\ngpiochip1 [pinctrl-bcm2711] (58 lines)`)).name).toBe('gpiochip1');
    expect(pickGpioChip(parseGpiodetect(PI5_CHIPS)).name).toBe('gpiochip0');
    expect(pickGpioChip(parseGpiodetect('gpiochip4 [pinctrl-rp1] (54 lines)\ngpiochip0 [gpio-brcmstb@107d508500] (32 lines)')).name).toBe('gpiochip4');
  });

  it('a configured label wins; a missing one is a clear error listing what is there', () => {
    const chips = parseGpiodetect(`${PI4_CHIPS}\ngpiochip2 [gpio-sim.0-node0] (32 lines)`);
    expect(pickGpioChip(chips, 'gpio-sim.0-node0').name).toBe('gpiochip2');
    expect(() => pickGpioChip(parseGpiodetect('gpiochip0 [INT34C5:00] (360 lines)'))).toThrow(GpioChipNotFoundError);
    expect(() => pickGpioChip(parseGpiodetect('gpiochip0 [INT34C5:00] (360 lines)'))).toThrow(
      /no GPIO chip labelled pinctrl-rp1 or pinctrl-bcm2711 or pinctrl-bcm2835 \(chips found: gpiochip0 \[INT34C5:00\]\)/,
    );
  });
});

describe.each([
  { version: '1.6.3', what: 'libgpiod 1.6 (Debian 12 / Raspberry Pi OS Bookworm)' },
  { version: '2.1.3', what: 'libgpiod 2.x (Debian 13 / Trixie)' },
])('GPIO through the character device with $what', ({ version }) => {
  let gpiod: FakeGpiod;
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0)) await c();
    gpiod.remove();
  });

  async function backend(chips = 'gpiochip0 [raspberrypi-exp-gpio] (8 lines)\ngpiochip1 [pinctrl-bcm2711] (58 lines)') {
    gpiod = makeFakeGpiod({ version, chips });
    return CdevGpioBackend.create({ toolsDir: gpiod.toolsDir });
  }

  it('describes the chip it found by label and the tools version', async () => {
    const b = await backend();
    expect(b.chipPath).toBe('/dev/gpiochip1');
    expect(b.description).toBe(`character device /dev/gpiochip1 [pinctrl-bcm2711], libgpiod tools v${version}`);
  });

  it('the button: pull-up set by the tools, a press seen through gpiomon, with the exact command lines', async () => {
    const b = await backend();
    gpiod.setLevel(17, 'float'); // nothing pressed: only the pull-up holds the line high
    const button = await GpioButton.create({ gpio: 17, backend: b });
    cleanup.push(() => button.close());
    const events: string[] = [];
    button.on('press', () => events.push('press'));
    expect(button.readNow()).toBe(false);
    await waitUntil(() => gpiod.monitorPid(17) !== null);
    gpiod.setLevel(17, 0);
    await new Promise((r) => setTimeout(r, 150));
    gpiod.setLevel(17, 1);
    await waitUntil(() => events.length === 1);
    const calls = gpiod.calls().filter(([tool]) => tool === 'gpioget' || tool === 'gpiomon');
    if (version.startsWith('1.')) {
      expect(calls).toEqual([
        ['gpioget', '-B', 'pull-up', '/dev/gpiochip1', '17'],
        ['gpiomon', '-b', '-B', 'pull-up', '-F', '%o %e', '/dev/gpiochip1', '17'],
      ]);
    } else {
      expect(calls).toEqual([
        ['gpioget', '-c', '/dev/gpiochip1', '-C', 'helppoint-button', '-b', 'pull-up', '--numeric', '17'],
        ['gpiomon', '-c', '/dev/gpiochip1', '-C', 'helppoint-button', '-b', 'pull-up', '-p', '10ms', '-e', 'both', '-F', '%o %E', '17'],
      ]);
    }
  });

  it('a button line shorted to ground at start-up is reported as a wiring fault, not rung', async () => {
    const b = await backend();
    gpiod.setLevel(17, 0);
    const button = await GpioButton.create({ gpio: 17, backend: b, stuckMs: 600 });
    cleanup.push(() => button.close());
    const events: string[] = [];
    button.on('press', () => events.push('press'));
    button.on('fault', (f) => events.push(f ? 'fault' : 'cleared'));
    expect(button.readNow()).toBe(true);
    await waitUntil(() => events.length > 0);
    expect(events).toEqual(['fault']);
    await waitUntil(() => gpiod.monitorPid(17) !== null);
    gpiod.setLevel(17, 1);
    await waitUntil(() => events.length > 1);
    expect(events).toEqual(['fault', 'cleared']);
  });

  it('the LED: gpioset holds each level, a new level replaces the child, close releases the line', { timeout: 60_000 }, async () => {
    const b = await backend();
    const led = await GpioLed.create({ gpio: 27, backend: b });
    await waitUntil(() => gpiod.held(27) === 0);
    led.set('on');
    await waitUntil(() => gpiod.held(27) === 1);
    led.set('off');
    await waitUntil(() => gpiod.held(27) === 0);
    led.set('on');
    await waitUntil(() => gpiod.held(27) === 1);
    if (!version.startsWith('1.')) {
      // libgpiod 2: one gpioset --toggle child blinks the LED by itself.
      const before = gpiod.calls().filter(([tool]) => tool === 'gpioset').length;
      led.set('blink-slow');
      const seen = new Set<number | null>();
      const t0 = Date.now();
      while (Date.now() - t0 < 8000 && !(seen.has(0) && seen.has(1))) {
        seen.add(gpiod.held(27));
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(seen.has(0) && seen.has(1)).toBe(true);
      const blinkSets = gpiod.calls().filter(([tool]) => tool === 'gpioset').slice(before);
      expect(blinkSets).toEqual([['gpioset', '-c', '/dev/gpiochip1', '-C', 'helppoint-led', '-t', '500ms', '27=1']]);
    }
    // (With libgpiod 1.6 a blink is a new gpioset per half period, as GpioLed.test.ts drives it; the node
    // fakes here start slower than a half period on a busy machine, where a real gpioset takes milliseconds.)
    await led.close();
    await waitUntil(() => gpiod.held(27) === null);
    const sets = gpiod.calls().filter(([tool]) => tool === 'gpioset');
    expect(sets[0]).toEqual(version.startsWith('1.') ? ['gpioset', '--mode=signal', '/dev/gpiochip1', '27=0'] : ['gpioset', '-c', '/dev/gpiochip1', '-C', 'helppoint-led', '27=0']);
  });

  it('the tamper loop: a door opened while gpiomon was dead is still seen once it is back', async () => {
    const b = await backend();
    gpiod.setLevel(22, 0);
    gpiod.setLevel(23, 1);
    const tamper = await GpioTamper.create({ gpio: 22, gpioNo: 23, backend: b, settleMs: 100 });
    cleanup.push(() => tamper.close());
    const changes: boolean[] = [];
    tamper.on('change', (open) => changes.push(open));
    expect(tamper.condition).toBe('closed');
    await waitUntil(() => gpiod.monitorPid(22) !== null && gpiod.monitorPid(23) !== null);
    const first = gpiod.monitorPid(22) as number;
    process.kill(first, 'SIGKILL');
    // The door opens in the gap, before a new gpiomon watches the line.
    gpiod.setLevel(22, 1);
    gpiod.setLevel(23, 0);
    // The alarm stands from the first edge gpiomon-23 (still alive) reports; the re-read NC line then makes it "open".
    await waitUntil(() => tamper.condition === 'open', 8000);
    expect(changes).toEqual([true]);
    await waitUntil(() => (gpiod.monitorPid(22) ?? first) !== first, 8000);
  });

  it('the tamper loop is read afresh now and then, so an edge the monitor missed still raises the alarm', async () => {
    const b = await backend();
    gpiod.setLevel(22, 0);
    const tamper = await GpioTamper.create({ gpio: 22, backend: b, settleMs: 50, resyncMs: 1500 });
    cleanup.push(() => tamper.close());
    const changes: boolean[] = [];
    tamper.on('change', (open) => changes.push(open));
    gpiod.deafen(22);
    gpiod.setLevel(22, 1);
    await waitUntil(() => changes.length === 1, 15_000);
    expect(tamper.open).toBe(true);
  });

  it('an offset the chip does not have is refused before any tool runs', async () => {
    const b = await backend();
    await expect(GpioButton.create({ gpio: 58, backend: b })).rejects.toThrow(/button on BCM 58/);
    await expect(b.open({ offset: 58, direction: 'in' })).rejects.toThrow(/not a line of gpiochip1 \[pinctrl-bcm2711\] \(0-57\)/);
  });
});

describe('without the libgpiod tools', () => {
  it('says which package is missing', async () => {
    await expect(CdevGpioBackend.create({ toolsDir: '/nonexistent' })).rejects.toThrow(/Debian package "gpiod"/);
  });
});
