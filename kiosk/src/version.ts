import fs from 'node:fs';

/** The kiosk's software version, reported to the relay at hello. */
export const KIOSK_VERSION: string = (
  JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
