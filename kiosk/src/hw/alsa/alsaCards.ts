import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** One sound card as /proc/asound/cards lists it. */
export interface AlsaCard {
  index: number;
  /** The card id, stable across boots and USB ports: what `plughw:CARD=<id>` names. */
  id: string;
  /** e.g. "USB-Audio", "bcm2835_headpho", "vc4-hdmi". */
  driver: string;
  /** e.g. "Jabra SPEAK 510 USB". */
  name: string;
  /** The second line: maker, product and where it is plugged in. */
  longName: string;
  /** Whether device 0 captures / plays (from /proc/asound/cardN/pcm0c, pcm0p). */
  capture: boolean;
  playback: boolean;
}

/**
 * Parses /proc/asound/cards:
 *    3 [Device         ]: USB-Audio - USB PnP Sound Device
 *                         C-Media Electronics Inc. USB PnP Sound Device at usb-0000:01:00.0-1.3, full speed
 * Capture/playback are unknown from this file alone and start false.
 */
export function parseAsoundCards(text: string): AlsaCard[] {
  const cards: AlsaCard[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^\s*(\d+)\s+\[([^\]]+?)\s*\]:\s+(.+?)\s+-\s+(.*?)\s*$/.exec(lines[i] as string);
    if (!m) continue;
    const next = lines[i + 1];
    const longName = next !== undefined && !/^\s*\d+\s+\[/.test(next) ? next.trim() : '';
    cards.push({ index: Number(m[1]), id: (m[2] as string).trim(), driver: m[3] as string, name: m[4] as string, longName, capture: false, playback: false });
  }
  return cards;
}

/** The cards with what device 0 of each can do; an empty list where there is no sound at all. */
export function listAlsaCards(procRoot = '/proc'): AlsaCard[] {
  let text: string;
  try {
    text = readFileSync(path.join(procRoot, 'asound/cards'), 'utf8');
  } catch {
    return [];
  }
  return parseAsoundCards(text).map((c) => ({
    ...c,
    capture: existsSync(path.join(procRoot, `asound/card${c.index}/pcm0c`)),
    playback: existsSync(path.join(procRoot, `asound/card${c.index}/pcm0p`)),
  }));
}

/**
 * USB speakerphones and microphone+speaker sets sold for kiosks and meeting
 * rooms, by what their USB product strings put into the card name. They do
 * their own echo cancellation in hardware, which a help point in a noisy
 * alley needs; a plain USB sound dongle is the fallback.
 */
export const KNOWN_SPEAKERPHONES: ReadonlyArray<{ name: string; match: RegExp }> = [
  { name: 'Jabra Speak', match: /jabra|speak\s?\d{3}/i },
  { name: 'Poly / Plantronics', match: /\bpoly\b|plantronics|calisto|\bsync \d{2}/i },
  { name: 'Anker PowerConf', match: /powerconf|anker/i },
  { name: 'EMEET', match: /emeet/i },
  { name: 'Yealink', match: /yealink|\bcp\d{3}\b/i },
  { name: 'Konftel', match: /konftel/i },
  { name: 'EPOS / Sennheiser', match: /epos|sennheiser|\bsp ?[23]0\b/i },
  { name: 'Logitech', match: /logitech|\bp710e\b/i },
  { name: 'Seeed ReSpeaker', match: /respeaker/i },
];

export interface AlsaChoice {
  /** An ALSA PCM name for ffmpeg's -f alsa, e.g. plughw:CARD=UAC20,DEV=0. */
  device: string;
  card: AlsaCard | null;
  reason: string;
}

/** plughw converts rate and channels for us; naming the card by id survives re-plugging and boot order. */
export function alsaDeviceFor(card: AlsaCard): string {
  return `plughw:CARD=${card.id},DEV=0`;
}

function speakerphoneName(card: AlsaCard): string | null {
  const text = `${card.id} ${card.name} ${card.longName}`;
  return KNOWN_SPEAKERPHONES.find((s) => s.match.test(text))?.name ?? null;
}

/**
 * Picks the capture and playback devices. A configured name other than
 * 'auto' wins. Otherwise: a known USB speakerphone that does both, else any
 * USB sound card that does both, else the USB card that can (the Pi's own
 * headphone and HDMI outputs have no microphone at all, and on a Pi 5 there is
 * no analogue output either).
 */
export function chooseAlsaDevices(cards: AlsaCard[], wanted: { capture: string; playback: string }): { capture: AlsaChoice; playback: AlsaChoice } {
  const usb = cards.filter((c) => c.driver === 'USB-Audio');
  const rank = (c: AlsaCard) => (speakerphoneName(c) ? 2 : 0) + (c.capture && c.playback ? 1 : 0);
  const ordered = [...usb].sort((a, b) => rank(b) - rank(a) || a.index - b.index);
  const pick = (dir: 'capture' | 'playback', configured: string): AlsaChoice => {
    if (configured !== 'auto') {
      const card = cards.find((c) => configured.includes(`CARD=${c.id},`) || configured.endsWith(`CARD=${c.id}`)) ?? null;
      return { device: configured, card, reason: 'configured' };
    }
    const card = ordered.find((c) => c[dir]);
    if (card) {
      const sp = speakerphoneName(card);
      return { device: alsaDeviceFor(card), card, reason: sp ? `USB speakerphone (${sp})` : `USB sound card "${card.name}"` };
    }
    const any = cards.find((c) => c[dir]);
    if (any) return { device: alsaDeviceFor(any), card: any, reason: `no USB sound card; using "${any.name}"` };
    return { device: 'default', card: null, reason: `no sound card can ${dir === 'capture' ? 'record' : 'play'}: falling back to ALSA "default"` };
  };
  return { capture: pick('capture', wanted.capture), playback: pick('playback', wanted.playback) };
}
