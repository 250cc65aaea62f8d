import { readdirSync } from 'node:fs';
import path from 'node:path';

/**
 * LTE modules whose AT command port is a fixed USB interface. udev names
 * each port under /dev/serial/by-id from the USB strings plus the interface
 * number ("…-if02-port0"), which, unlike /dev/ttyUSB2, does not move when
 * another USB serial device is plugged in or the modem enumerates late.
 * Quectel EC2x/EG2x/EG9x: if00 DM, if01 NMEA, if02 AT, if03 PPP/AT.
 * SIMCom SIM7500/7600: if02 is the AT port as well.
 */
export const KNOWN_MODEMS: ReadonlyArray<{ name: string; match: RegExp; atInterface: string; usbVendor: string }> = [
  { name: 'Quectel EC25/EG25/EC21/EG91', match: /quectel/i, atInterface: 'if02', usbVendor: '2c7c' },
  { name: 'SIMCom SIM7600', match: /simtech|simcom/i, atInterface: 'if02', usbVendor: '1e0e' },
];

export interface ModemChoice {
  /** A /dev/serial/by-id path, the configured path, or null: no modem. */
  path: string | null;
  reason: string;
}

export function listSerialById(devRoot = '/dev'): string[] {
  try {
    return readdirSync(path.join(devRoot, 'serial/by-id')).sort();
  } catch {
    return [];
  }
}

/** A configured path wins ('none' turns the modem off); otherwise the AT port of the first known modem. */
export function chooseModemPort(configured: string | undefined, byId: string[], devRoot = '/dev'): ModemChoice {
  if (configured === 'none') return { path: null, reason: 'turned off in the configuration' };
  if (configured) return { path: configured, reason: 'configured' };
  for (const modem of KNOWN_MODEMS) {
    const port = byId.find((n) => modem.match.test(n) && n.endsWith(`-${modem.atInterface}-port0`));
    if (port) return { path: path.join(devRoot, 'serial/by-id', port), reason: `${modem.name} AT port (${modem.atInterface})` };
  }
  const others = byId.length ? `; serial ports seen: ${byId.join(', ')}` : '';
  return { path: null, reason: `no known LTE modem under ${path.join(devRoot, 'serial/by-id')}${others}` };
}
