import type { Registration } from './Modem.ts';

/** Splits "+CMD: a,"b,c",d" into its fields after the colon; quoted fields keep commas and lose quotes. */
export function atFields(line: string): { fields: string[]; quoted: boolean[] } {
  const colon = line.indexOf(':');
  const rest = colon >= 0 ? line.slice(colon + 1) : line;
  const fields: string[] = [];
  const quoted: boolean[] = [];
  let cur = '';
  let inQuote = false;
  let wasQuoted = false;
  for (const ch of rest) {
    if (ch === '"') {
      inQuote = !inQuote;
      wasQuoted = true;
    } else if (ch === ',' && !inQuote) {
      fields.push(wasQuoted ? cur : cur.trim());
      quoted.push(wasQuoted);
      cur = '';
      wasQuoted = false;
    } else cur += ch;
  }
  fields.push(wasQuoted ? cur : cur.trim());
  quoted.push(wasQuoted);
  return { fields, quoted };
}

/** AT+CSQ: "+CSQ: <rssi>,<ber>". 0..31 maps to -113..-51 dBm; 99 is "not known". */
export function parseCsq(line: string): { csq: number | null; rssiDbm: number | null } {
  const { fields } = atFields(line);
  const n = Number(fields[0]);
  if (!/^\d+$/.test(fields[0] ?? '') || n === 99) return { csq: null, rssiDbm: null };
  if (n < 0 || n > 31) throw new Error(`CSQ value out of range: ${line}`);
  return { csq: n, rssiDbm: -113 + 2 * n };
}

const CREG_STAT: Record<string, Registration> = {
  '0': 'not_registered',
  '1': 'home',
  '2': 'searching',
  '3': 'denied',
  '4': 'unknown',
  '5': 'roaming',
};

/**
 * True for the answer to AT+CREG? ("+CREG: <n>,<stat>[,...]"), false for the
 * unsolicited form ("+CREG: <stat>" or "+CREG: <stat>,"<lac>",..."), which a
 * modem may send at any moment, even between a query and its answer.
 */
export function isCregQueryAnswer(line: string): boolean {
  if (!line.startsWith('+CREG:')) return false;
  const { fields, quoted } = atFields(line);
  return fields.length >= 2 && !quoted[1] && /^\d$/.test(fields[1] ?? '');
}

export function parseCreg(line: string): Registration {
  const { fields } = atFields(line);
  return CREG_STAT[fields[1] ?? ''] ?? 'unknown';
}

/** AT+COPS?: "+COPS: <mode>[,<format>,"<oper>"[,<act>]]"; no operator when not registered. */
export function parseCops(line: string): string | null {
  const { fields } = atFields(line);
  const op = fields[2]?.trim();
  return op ? op.slice(0, 64) : null;
}
