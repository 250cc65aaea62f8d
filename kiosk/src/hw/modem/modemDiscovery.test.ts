import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseModemPort, listSerialById } from './modemDiscovery.ts';

// /dev/serial/by-id with a Quectel EC25 (four ports) and a USB-RS485 adapter, as udev names them.
const EC25 = [
  'usb-Quectel_EC25-AF_0123456789AB-if00-port0',
  'usb-Quectel_EC25-AF_0123456789AB-if01-port0',
  'usb-Quectel_EC25-AF_0123456789AB-if02-port0',
  'usb-Quectel_EC25-AF_0123456789AB-if03-port0',
];

describe('finding the modem by id', () => {
  it("the EC25's AT port is interface 2, whatever ttyUSB number it got", () => {
    const dev = fs.mkdtempSync(path.join(os.tmpdir(), 'serial-'));
    try {
      fs.mkdirSync(path.join(dev, 'serial/by-id'), { recursive: true });
      for (const [i, n] of [...EC25, 'usb-FTDI_FT232R_USB_UART_A10K1234-if00-port0'].entries()) fs.symlinkSync(`../../ttyUSB${i}`, path.join(dev, 'serial/by-id', n));
      const byId = listSerialById(dev);
      expect(chooseModemPort(undefined, byId, dev)).toEqual({
        path: path.join(dev, 'serial/by-id/usb-Quectel_EC25-AF_0123456789AB-if02-port0'),
        reason: 'Quectel EC25/EG25/EC21/EG91 AT port (if02)',
      });
    } finally {
      fs.rmSync(dev, { recursive: true, force: true });
    }
  });

  it('EG25-G and SIMCom names too; configured paths and "none" win; nothing known means no modem, with what was seen', () => {
    expect(chooseModemPort(undefined, ['usb-Quectel_EG25-G-if02-port0']).path).toBe('/dev/serial/by-id/usb-Quectel_EG25-G-if02-port0');
    expect(chooseModemPort(undefined, ['usb-SimTech__Incorporated_SimTech__Incorporated_0123456789ABCDEF-if02-port0']).reason).toMatch(/SIMCom/);
    expect(chooseModemPort('/dev/ttyAMA0', EC25)).toEqual({ path: '/dev/ttyAMA0', reason: 'configured' });
    expect(chooseModemPort('none', EC25)).toMatchObject({ path: null });
    const none = chooseModemPort(undefined, ['usb-FTDI_FT232R_USB_UART_A10K1234-if00-port0']);
    expect(none.path).toBeNull();
    expect(none.reason).toMatch(/no known LTE modem.*FTDI/);
    expect(listSerialById('/nonexistent')).toEqual([]);
  });
});
