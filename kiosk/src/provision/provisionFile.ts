/**
 * helppoint.txt, the file a technician puts on the boot partition: KEY=value
 * lines (relay, code, optional ca), # comments. Parsed strictly so a typo is
 * reported as such (and spoken), not taken as "relay unreachable".
 */
export interface ProvisionFile {
  /** http(s):// origin (and optional path prefix) of the station relay. */
  relay: string;
  /** The one-time enrolment code; null once used (the line is rewritten as a comment). */
  code: string | null;
  /** A CA certificate file name, relative to the boot partition. */
  ca: string | null;
}

export class ProvisionFileError extends Error {
  readonly code = 'provision_file_invalid';
}

const KEYS = new Set(['relay', 'code', 'ca']);

export function parseProvisionFile(text: string): ProvisionFile {
  const values = new Map<string, string>();
  // Windows editors add a BOM and CRLF; both are common on a laptop-edited SD card.
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new ProvisionFileError(`helppoint.txt line ${i + 1}: expected KEY=value, got "${line}"`);
    const key = line.slice(0, eq).trim().toLowerCase();
    const value = line.slice(eq + 1).trim();
    if (!KEYS.has(key)) throw new ProvisionFileError(`helppoint.txt line ${i + 1}: unknown key "${key}" (relay, code, ca)`);
    if (values.has(key)) throw new ProvisionFileError(`helppoint.txt line ${i + 1}: "${key}" given twice`);
    values.set(key, value);
  });
  const relay = values.get('relay');
  if (!relay) throw new ProvisionFileError('helppoint.txt has no relay=https://… line');
  let url: URL;
  try {
    url = new URL(relay);
  } catch {
    throw new ProvisionFileError(`helppoint.txt: relay "${relay}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ProvisionFileError(`helppoint.txt: relay must be https:// (or http://), got "${relay}"`);
  const code = values.get('code') ?? null;
  if (code !== null && !/^[A-Za-z0-9-]{4,32}$/.test(code)) throw new ProvisionFileError(`helppoint.txt: code "${code}" is not an enrolment code like ABCD-EFGH-JKLM`);
  const ca = values.get('ca') || null;
  if (ca !== null && (ca.includes('/') || ca.startsWith('.'))) throw new ProvisionFileError(`helppoint.txt: ca must be a file name next to helppoint.txt, got "${ca}"`);
  return { relay, code, ca };
}

/** The file with its code line turned into a comment: the code is spent, the rest stays for reference. */
export function withoutCode(text: string, when: Date): string {
  return text
    .split(/(\r?\n)/)
    .map((part) => (/^\s*code\s*=/i.test(part) ? `# code used ${when.toISOString()}` : part))
    .join('');
}
