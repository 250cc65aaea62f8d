import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chooseAlsaDevices, listAlsaCards, parseAsoundCards } from './alsaCards.ts';

// As Raspberry Pi OS Bookworm prints them (kernel 6.6), with a speakerphone plugged in.
const PI4 = ` 0 [Headphones     ]: bcm2835_headpho - bcm2835 Headphones
                      bcm2835 Headphones
 1 [vc4hdmi0       ]: vc4-hdmi - vc4-hdmi-0
                      vc4-hdmi-0
 2 [vc4hdmi1       ]: vc4-hdmi - vc4-hdmi-1
                      vc4-hdmi-1
 3 [USB            ]: USB-Audio - Jabra SPEAK 510 USB
                      Jabra SPEAK 510 USB at usb-0000:01:00.0-1.3, full speed
`;
const PI5 = ` 0 [vc4hdmi0       ]: vc4-hdmi - vc4-hdmi-0
                      vc4-hdmi-0
 1 [vc4hdmi1       ]: vc4-hdmi - vc4-hdmi-1
                      vc4-hdmi-1
 2 [Device         ]: USB-Audio - USB PnP Sound Device
                      C-Media Electronics Inc. USB PnP Sound Device at usb-xhci-hcd.0-1, full speed
 3 [PowerConf      ]: USB-Audio - Anker PowerConf
                      Anker Anker PowerConf at usb-xhci-hcd.1-2, full speed
`;

/** A /proc with asound/cards and the pcm0c/pcm0p entries for the given capabilities. */
function proc(cards: string, caps: Record<number, 'c' | 'p' | 'cp'>): string {
  const root = mkdtempSync(join(tmpdir(), 'asound-'));
  mkdirSync(join(root, 'asound'));
  writeFileSync(join(root, 'asound/cards'), cards);
  for (const [index, cap] of Object.entries(caps)) {
    if (cap.includes('c')) mkdirSync(join(root, `asound/card${index}/pcm0c`), { recursive: true });
    if (cap.includes('p')) mkdirSync(join(root, `asound/card${index}/pcm0p`), { recursive: true });
  }
  return root;
}

describe('ALSA cards by name', () => {
  const roots: string[] = [];
  afterEach(() => {
    for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
  });

  it('parses a Pi 4 list: ids, drivers, names and the long name line', () => {
    const cards = parseAsoundCards(PI4);
    expect(cards.map((c) => [c.index, c.id, c.driver, c.name])).toEqual([
      [0, 'Headphones', 'bcm2835_headpho', 'bcm2835 Headphones'],
      [1, 'vc4hdmi0', 'vc4-hdmi', 'vc4-hdmi-0'],
      [2, 'vc4hdmi1', 'vc4-hdmi', 'vc4-hdmi-1'],
      [3, 'USB', 'USB-Audio', 'Jabra SPEAK 510 USB'],
    ]);
    expect(cards[3]?.longName).toBe('Jabra SPEAK 510 USB at usb-0000:01:00.0-1.3, full speed');
    expect(parseAsoundCards('--- no soundcards ---\n')).toEqual([]);
  });

  it('Pi 4: the speakerphone by card name, never the headphone jack or HDMI', () => {
    const root = proc(PI4, { 0: 'p', 1: 'p', 2: 'p', 3: 'cp' });
    roots.push(root);
    const chosen = chooseAlsaDevices(listAlsaCards(root), { capture: 'auto', playback: 'auto' });
    expect(chosen.capture).toMatchObject({ device: 'plughw:CARD=USB,DEV=0', reason: 'USB speakerphone (Jabra Speak)' });
    expect(chosen.playback.device).toBe('plughw:CARD=USB,DEV=0');
  });

  it('Pi 5: a known speakerphone wins over a plain USB dongle listed first', () => {
    const root = proc(PI5, { 0: 'p', 1: 'p', 2: 'cp', 3: 'cp' });
    roots.push(root);
    const chosen = chooseAlsaDevices(listAlsaCards(root), { capture: 'auto', playback: 'auto' });
    expect(chosen.capture.device).toBe('plughw:CARD=PowerConf,DEV=0');
    expect(chosen.playback.reason).toBe('USB speakerphone (Anker PowerConf)');
  });

  it('a plain USB sound card is used when no speakerphone is there', () => {
    const root = proc(PI5.split('\n').slice(0, 6).join('\n'), { 0: 'p', 1: 'p', 2: 'cp' });
    roots.push(root);
    const chosen = chooseAlsaDevices(listAlsaCards(root), { capture: 'auto', playback: 'auto' });
    expect(chosen.capture).toMatchObject({ device: 'plughw:CARD=Device,DEV=0', reason: 'USB sound card "USB PnP Sound Device"' });
  });

  it('a Pi 4 with nothing plugged in: playback on the jack, and says capture has no device', () => {
    const root = proc(PI4.split('\n').slice(0, 6).join('\n'), { 0: 'p', 1: 'p', 2: 'p' });
    roots.push(root);
    const chosen = chooseAlsaDevices(listAlsaCards(root), { capture: 'auto', playback: 'auto' });
    expect(chosen.playback).toMatchObject({ device: 'plughw:CARD=Headphones,DEV=0', reason: 'no USB sound card; using "bcm2835 Headphones"' });
    expect(chosen.capture).toMatchObject({ device: 'default', card: null });
    expect(chosen.capture.reason).toMatch(/no sound card can record/);
  });

  it('a configured device wins and is matched to its card for doctor', () => {
    const root = proc(PI4, { 0: 'p', 3: 'cp' });
    roots.push(root);
    const chosen = chooseAlsaDevices(listAlsaCards(root), { capture: 'plughw:CARD=USB,DEV=0', playback: 'default' });
    expect(chosen.capture).toMatchObject({ reason: 'configured', card: { id: 'USB' } });
    expect(chosen.playback).toMatchObject({ device: 'default', card: null, reason: 'configured' });
  });

  it('no /proc/asound at all (no sound support) is an empty list, not a crash', () => {
    expect(listAlsaCards('/nonexistent')).toEqual([]);
  });
});
