import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadKioskConfig } from '../config.ts';
import { chooseHardware, describeHardware, discoverHardware } from './inventory.ts';
import { makeFakeGpiod, type FakeGpiod } from './testing/fakeGpiodTools.ts';

/** A Pi 5 on Bookworm without sysfs GPIO: /dev and /proc as the kiosk reads them. */
function pi5Tree(): { dev: string; proc: string; root: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pi5-'));
  const dev = path.join(root, 'dev');
  const proc = path.join(root, 'proc');
  fs.mkdirSync(path.join(dev, 'serial/by-id'), { recursive: true });
  fs.mkdirSync(path.join(dev, 'v4l/by-id'), { recursive: true });
  fs.writeFileSync(path.join(dev, 'gpiochip0'), '');
  for (const n of ['usb-Quectel_EG25-G-if00-port0', 'usb-Quectel_EG25-G-if02-port0']) fs.writeFileSync(path.join(dev, 'serial/by-id', n), '');
  fs.writeFileSync(path.join(dev, 'v4l/by-id/usb-046d_HD_Pro_Webcam_C920-video-index0'), '');
  fs.mkdirSync(path.join(proc, 'asound/card2/pcm0c'), { recursive: true });
  fs.mkdirSync(path.join(proc, 'asound/card2/pcm0p'), { recursive: true });
  fs.mkdirSync(path.join(proc, 'asound/card0/pcm0p'), { recursive: true });
  fs.writeFileSync(
    path.join(proc, 'asound/cards'),
    ' 0 [vc4hdmi0       ]: vc4-hdmi - vc4-hdmi-0\n                      vc4-hdmi-0\n 2 [UAC20          ]: USB-Audio - Jabra SPEAK 710\n                      Jabra SPEAK 710 at usb-xhci-hcd.0-1, full speed\n',
  );
  return { dev, proc, root };
}

describe('hardware inventory for doctor', () => {
  let tree: ReturnType<typeof pi5Tree>;
  let gpiod: FakeGpiod;
  afterEach(() => {
    fs.rmSync(tree.root, { recursive: true, force: true });
    gpiod.remove();
  });

  it('finds and chooses the Pi 5 devices by name, and says so line by line', async () => {
    tree = pi5Tree();
    gpiod = makeFakeGpiod({ version: '1.6.3', chips: 'gpiochip0 [pinctrl-rp1] (54 lines)\ngpiochip10 [gpio-brcmstb@107d508500] (32 lines)' });
    const inv = await discoverHardware({ devRoot: tree.dev, procRoot: tree.proc, sysfsGpioRoot: '/nonexistent', gpiodToolsDir: gpiod.toolsDir, rpicamCommand: '/nonexistent/rpicam-vid' });
    const cfg = loadKioskConfig({ HELPPOINT_TERMINAL_ID: 'XC-SCH-001' });
    const choice = chooseHardware(cfg, inv, tree.dev);
    expect(choice.gpio).toEqual({ driver: 'cdev', chip: 'gpiochip0 [pinctrl-rp1]', reason: 'no sysfs GPIO: character device' });
    expect(choice.camera).toMatchObject({ kind: 'v4l2', device: path.join(tree.dev, 'v4l/by-id/usb-046d_HD_Pro_Webcam_C920-video-index0') });
    expect(choice.capture.device).toBe('plughw:CARD=UAC20,DEV=0');
    expect(choice.modem.path).toBe(path.join(tree.dev, 'serial/by-id/usb-Quectel_EG25-G-if02-port0'));
    const text = describeHardware(inv, choice).join('\n');
    expect(text).toMatch(/GPIO +sysfs no; character devices: gpiochip0 \(gpiochip0 \[pinctrl-rp1\], gpiochip10 \[gpio-brcmstb@107d508500\]\); libgpiod tools v1\.6\.3/);
    expect(text).toMatch(/CSI +none \(\/nonexistent\/rpicam-vid not installed/);
    expect(text).toMatch(/mic +plughw:CARD=UAC20,DEV=0 \(USB speakerphone \(Jabra Speak\)\)/);
    expect(text).toMatch(/modem +.*if02-port0 \(Quectel/);
  });
});

describe('pin state from pinctrl', () => {
  it('reads function, pull and level, and flags an input without its pull-up', async () => {
    const { parsePinctrl } = await import('./inventory.ts');
    const text = ' 17: ip    pd | lo // GPIO17 = input\n 22: ip    pu | hi // GPIO22 = input\n 27: op dl pd | lo // GPIO27 = output\n';
    expect(parsePinctrl(text)).toEqual([
      { pin: 17, func: 'ip', pull: 'pd', level: 'lo' },
      { pin: 22, func: 'ip', pull: 'pu', level: 'hi' },
      { pin: 27, func: 'op', pull: 'pd', level: 'lo' },
    ]);
    const { describeHardware } = await import('./inventory.ts');
    const inv = { gpio: { sysfs: true, devices: [], tools: null, chips: [], error: null }, csiCameras: [], csiError: null, usbCameras: [], alsaCards: [], serialById: [], pins: parsePinctrl(text) };
    const choice = {
      gpio: { driver: 'sysfs' as const, chip: null, reason: 'sysfs GPIO present' },
      camera: { kind: 'v4l2' as const, device: '/dev/video0', reason: 'x' },
      capture: { device: 'default', card: null, reason: 'x' },
      playback: { device: 'default', card: null, reason: 'x' },
      modem: { path: null, reason: 'x' },
    };
    const pinsLine = describeHardware(inv, choice, { pullUps: [17, 22] }).find((l) => l.includes('pins'));
    expect(pinsLine).toBe('  pins     BCM17 ip pd lo (NO PULL-UP: config.txt gpio= line missing), BCM22 ip pu hi, BCM27 op pd lo');
  });
});
