/**
 * AT+CSCS="UCS2": numbers and text travel as hex of UTF-16 code units, which
 * is how a modem in text mode carries Chinese (GSM 7-bit has no Hanzi).
 */
export function toUcs2Hex(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += text.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0');
  return out;
}

export function fromUcs2Hex(hex: string): string {
  if (!/^([0-9A-Fa-f]{4})*$/.test(hex)) throw new Error('not UCS2 hex');
  let out = '';
  for (let i = 0; i < hex.length; i += 4) out += String.fromCharCode(Number.parseInt(hex.slice(i, i + 4), 16));
  return out;
}
