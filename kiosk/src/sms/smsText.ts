import { UCS2_SMS_MAX_UNITS } from '../hw/ucs2.ts';

/** The modem driver sends one UCS2 message per SMS. */
export const SMS_MAX_UNITS = UCS2_SMS_MAX_UNITS;

/**
 * The duty officer's text: which terminal, where, when, and what to do. The
 * address is shortened (never the location ID or the time) so it fits one SMS.
 */
export function helpSmsText(opts: { locationId: string; address: string; pressedAt: number; timeZone: string }): string {
  const when = new Intl.DateTimeFormat('en-CA', {
    timeZone: opts.timeZone,
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  })
    .format(new Date(opts.pressedAt))
    .replace(',', '');
  const head = `【一键求助】${opts.locationId} `;
  const tail = ` ${when} 视频线路不通，请回拨`;
  const room = SMS_MAX_UNITS - head.length - tail.length;
  const address = opts.address.length <= room ? opts.address : `${opts.address.slice(0, Math.max(0, room - 1))}…`;
  return head + address + tail;
}
