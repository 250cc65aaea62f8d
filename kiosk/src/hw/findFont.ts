import { existsSync } from 'node:fs';

/**
 * Fonts Debian / Raspberry Pi OS commonly ship (fonts-dejavu-core is pulled in
 * by most desktops, fonts-liberation by chromium). drawtext needs a file path
 * because ffmpeg may be built without fontconfig.
 */
export const DEFAULT_FONT_CANDIDATES: readonly string[] = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf',
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf',
  '/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf',
  '/usr/share/fonts/truetype/freefont/FreeSansBold.ttf',
  '/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf',
  '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc',
];

/** The first candidate that exists, or null. */
export function findFont(
  candidates: readonly string[] = DEFAULT_FONT_CANDIDATES,
  exists: (path: string) => boolean = existsSync,
): string | null {
  return candidates.find((path) => exists(path)) ?? null;
}
