import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SerialModem } from './SerialModem.ts';
import { AtModemSimulator } from './testing/AtModemSimulator.ts';
import { ModemError } from './Modem.ts';

/** The real driver (serialport) against a simulated modem on a socat pty pair. */
let sim: AtModemSimulator;
let modem: SerialModem | null = null;

beforeEach(async () => {
  sim = await AtModemSimulator.start();
});
afterEach(async () => {
  await modem?.close();
  modem = null;
  await sim.close();
});

const open = (timeoutMs = 500) => (modem = SerialModem.create({ path: sim.devicePath, commandTimeoutMs: timeoutMs, reopen: { initialMs: 100, maxMs: 200 } }));

describe('SerialModem over a pty', () => {
  it('reads signal, registration and operator through command echo', async () => {
    const m = open();
    expect(await m.poll()).toEqual({ present: true, csq: 21, rssiDbm: -71, registration: 'home', operator: 'CHINA MOBILE' });
    expect(sim.received).toEqual(['ATE0', 'AT+CMEE=1', 'AT+COPS=3,0', 'AT+CSQ', 'AT+CREG?', 'AT+COPS?']);
    sim.state.echo = true; // a modem that keeps echoing despite ATE0
    sim.state.csq = 99;
    sim.state.creg = 5;
    sim.state.operator = null;
    expect(await m.poll()).toEqual({ present: true, csq: null, rssiDbm: null, registration: 'roaming', operator: null });
    expect(m.status?.registration).toBe('roaming');
  });

  it('ignores line noise and unsolicited results, even a +CREG URC between a query and its answer', async () => {
    const m = open();
    await m.poll();
    sim.state.noisy = true;
    sim.state.creg = 2;
    sim.inject(Buffer.from([0xff, 0x00, 0x0d, 0x0a, 0x2b, 0x43, 0x4d, 0x54, 0x49, 0x3a, 0x20, 0x22, 0x53, 0x4d, 0x22, 0x2c, 0x33, 0x0d, 0x0a]));
    expect(await m.poll()).toEqual({ present: true, csq: 21, rssiDbm: -71, registration: 'searching', operator: 'CHINA MOBILE' });
  });

  it('a modem that stops answering reads as absent within the timeout, and recovers', async () => {
    const m = open(300);
    await m.poll();
    sim.state.silent = true;
    const t0 = performance.now();
    expect(await m.poll()).toMatchObject({ present: false });
    expect(performance.now() - t0).toBeLessThan(1500);
    sim.state.silent = false;
    expect(await m.poll()).toMatchObject({ present: true, registration: 'home' });
  });

  it('a late answer to a timed-out command is not taken for the next one', async () => {
    const m = open(300);
    await m.poll();
    sim.state.delayMs = 450; // every answer arrives after the driver gave up
    expect(await m.poll()).toMatchObject({ present: false });
    sim.state.delayMs = 0;
    sim.state.csq = 10;
    sim.state.creg = 5;
    // The stale answers must not shift the next poll's readings by one command.
    let good = await m.poll();
    if (!good.present) good = await m.poll();
    expect(good).toEqual({ present: true, csq: 10, rssiDbm: -93, registration: 'roaming', operator: 'CHINA MOBILE' });
  });

  it('a modem that vanishes reads as absent at once and never throws', async () => {
    const m = open();
    await m.poll();
    await sim.vanish();
    await new Promise((r) => setTimeout(r, 100));
    const t0 = performance.now();
    expect(await m.poll()).toMatchObject({ present: false });
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(m.status?.present).toBe(false);
  });

  it('sends an SMS through the "> " prompt and reports a refusal', async () => {
    const m = open();
    await m.poll();
    expect(await m.sendSms('+8613800138000', 'HelpPoint XC-HT-003: help requested, relay unreachable')).toEqual({ reference: 1 });
    expect(sim.sms).toEqual([{ to: '+8613800138000', text: 'HelpPoint XC-HT-003: help requested, relay unreachable' }]);
    sim.state.smsFails = true;
    await expect(m.sendSms('+8613800138000', 'again')).rejects.toMatchObject({ code: 'at_error' });
    await expect(m.sendSms('13800"; AT+CFUN=0', 'x')).rejects.toBeInstanceOf(ModemError);
    expect(sim.received.some((c) => c.includes('CFUN'))).toBe(false);
  });

  it('a path with no modem reads as absent', async () => {
    modem = SerialModem.create({ path: '/dev/nonexistent-modem', commandTimeoutMs: 200, reopen: { initialMs: 50, maxMs: 100 } });
    expect(await modem.poll()).toMatchObject({ present: false });
  });
});
