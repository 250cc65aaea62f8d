import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SerialModem } from './SerialModem.ts';
import { AtModemSimulator } from './testing/AtModemSimulator.ts';
import { ModemError } from './Modem.ts';
import { toUcs2Hex } from './ucs2.ts';

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

const open = (timeoutMs = 500) => (modem = SerialModem.create({ path: sim.path, commandTimeoutMs: timeoutMs, reopen: { initialMs: 100, maxMs: 200 } }));

describe('SerialModem over a pty', () => {
  it('reads signal, registration and operator through command echo', async () => {
    const m = open();
    expect(await m.poll()).toEqual({ present: true, csq: 21, rssiDbm: -71, registration: 'home', operator: 'CHINA MOBILE' });
    expect(sim.commands).toEqual(['ATE0', 'AT+CMEE=1', 'AT+COPS=3,0', 'AT+CSCS="GSM"', 'AT+CSQ', 'AT+CREG?', 'AT+COPS?']);
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
    // Recovers at the next poll; a loaded test machine may need one more within the short timeout.
    let back = await m.poll();
    for (let i = 0; i < 3 && !back.present; i++) back = await m.poll();
    expect(back).toMatchObject({ present: true, registration: 'home' });
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

  it('sends an SMS through the "> " prompt and reports a refusal; the next message still goes', async () => {
    const m = open();
    await m.poll();
    expect(await m.sendSms('+8613800138000', 'HelpPoint XC-HT-003: help requested, relay unreachable')).toEqual({ reference: 1 });
    expect(sim.sms).toEqual([{ to: '+8613800138000', text: 'HelpPoint XC-HT-003: help requested, relay unreachable', at: expect.any(Number) }]);
    sim.state.refuseSms = 1;
    await expect(m.sendSms('13800138000', 'x')).rejects.toThrow(/\+CMS ERROR: 500/);
    expect(sim.charset).toBe('GSM');
    await expect(m.sendSms('13800138000', 'y')).resolves.toEqual({ reference: 2 });
    expect(sim.sms.map((s) => s.text)).toEqual(['HelpPoint XC-HT-003: help requested, relay unreachable', 'y']);
  });

  it('refuses something that is not a phone number before touching the modem', async () => {
    const m = open();
    await m.poll();
    const before = sim.commands.length;
    await expect(m.sendSms('13800"; AT+CFUN=0', 'x')).rejects.toBeInstanceOf(ModemError);
    await expect(m.sendSms('110; AT+CFUN=0', 'x')).rejects.toThrow(/not a phone number/);
    expect(sim.commands.length).toBe(before);
  });

  it('sends Chinese in UCS2 text mode, then the operator name reads as text again, not hex', async () => {
    const m = open();
    await m.poll();
    sim.state.operator = 'CHN-CT';
    expect(await m.sendSms('+8613800138000', '【一键求助】XC-HT-003 烟袋斜街东口')).toEqual({ reference: 1 });
    expect(sim.sms).toEqual([{ to: '+8613800138000', text: '【一键求助】XC-HT-003 烟袋斜街东口', at: expect.any(Number) }]);
    const dialogue = sim.commands.slice(sim.commands.indexOf('AT+CMGF=1'));
    expect(dialogue).toEqual(['AT+CMGF=1', 'AT+CSCS="UCS2"', 'AT+CSMP=17,167,0,8', `AT+CMGS="${toUcs2Hex('+8613800138000')}"`, 'AT+CSCS="GSM"']);
    expect(await m.poll()).toMatchObject({ present: true, operator: 'CHN-CT' });
  });

  it('a poll asked for while a message is being sent waits for it, and never reads in UCS2', async () => {
    const m = open();
    await m.poll();
    sim.state.delayMs = 30;
    const [sent, status] = await Promise.all([m.sendSms('13900139000', '请回拨'), m.poll(), m.poll()]);
    expect(sent).toEqual({ reference: 1 });
    expect(status).toMatchObject({ present: true, operator: 'CHINA MOBILE' });
    const ucs2At = sim.commands.indexOf('AT+CSCS="UCS2"');
    const gsmAt = sim.commands.indexOf('AT+CSCS="GSM"', ucs2At);
    expect(sim.commands.slice(ucs2At, gsmAt).filter((c) => c === 'AT+COPS?' || c === 'AT+CSQ')).toEqual([]);
    // The two polls shared one dialogue.
    expect(sim.commands.filter((c) => c === 'AT+COPS?')).toHaveLength(2);
  });

  it('a modem left in UCS2 (a kiosk that died mid-message) is set back to GSM on open', async () => {
    sim.charset = 'UCS2';
    sim.state.operator = 'CHINA UNICOM';
    expect(await open().poll()).toMatchObject({ present: true, operator: 'CHINA UNICOM' });
  });

  it('text longer than one message is cut with "…"; a gone modem refuses the message', async () => {
    const m = open();
    await m.poll();
    await m.sendSms('13800138000', '北'.repeat(100));
    expect(sim.sms[0]!.text).toBe(`${'北'.repeat(69)}…`);
    await sim.vanish();
    await new Promise((r) => setTimeout(r, 100));
    await expect(m.sendSms('13800138000', 'x')).rejects.toMatchObject({ code: 'gone' });
  });

  it('a path with no modem reads as absent', async () => {
    modem = SerialModem.create({ path: '/dev/nonexistent-modem', commandTimeoutMs: 200, reopen: { initialMs: 50, maxMs: 100 } });
    expect(await modem.poll()).toMatchObject({ present: false });
  });
});
