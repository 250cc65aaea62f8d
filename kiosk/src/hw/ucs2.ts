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

/** One UCS2 SMS holds 70 UTF-16 units; longer text would need concatenated PDUs. */
export const UCS2_SMS_MAX_UNITS = 70;

/** Cuts text to one UCS2 SMS, with "…" at the cut and never half a surrogate pair. */
export function fitOneUcs2Sms(text: string): string {
  if (text.length <= UCS2_SMS_MAX_UNITS) return text;
  let cut = UCS2_SMS_MAX_UNITS - 1;
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1;
  return `${text.slice(0, cut)}…`;
}
