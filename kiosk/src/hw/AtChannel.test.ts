import { describe, expect, it } from 'vitest';
import { AtChannel } from './AtChannel.ts';
import { ModemError } from './Modem.ts';
import { waitUntil } from './testing/waitUntil.ts';

/** The channel with a hand-driven modem: what it wrote, and feed() for what the modem says. */
function channel(opts: { timeoutMs?: number; quietMs?: number; write?: (data: string) => void } = {}) {
  const written: { data: string; atMs: number }[] = [];
  const urcs: string[] = [];
  const at = new AtChannel({
    write: opts.write ?? ((data) => written.push({ data, atMs: performance.now() })),
    timeoutMs: opts.timeoutMs ?? 300,
    quietMs: opts.quietMs ?? 100,
  });
  at.on('urc', (line) => urcs.push(line));
  /** Commands start on a later tick (they queue); waits until n writes went out. */
  const wrote = (n: number) => waitUntil(() => written.length >= n, 1000);
  return { at, written, urcs, wrote, sent: () => written.map((w) => w.data) };
}

const plusCsq = (l: string) => l.startsWith('+CSQ:');

describe('AtChannel', () => {
  it('takes the answer apart from the echo and from URCs that arrive before it', async () => {
    const { at, urcs, wrote } = channel();
    const p = at.command('AT+CSQ', { accept: plusCsq });
    await wrote(1);
    at.feed('AT+CSQ\r\r\n+CREG: 5\r\n\r\nRING\r\n\r\n+CSQ: 21,99\r\n\r\nOK\r\n');
    expect(await p).toEqual(['+CSQ: 21,99']);
    expect(urcs).toEqual(['+CREG: 5', 'RING']);
    // A URC between commands is reported too; a stray OK is not.
    at.feed('\r\n+CMTI: "SM",3\r\n\r\nOK\r\n');
    expect(urcs).toEqual(['+CREG: 5', 'RING', '+CMTI: "SM",3']);
  });

  it('drops line noise and a run of bytes with no line end', async () => {
    const { at, wrote } = channel();
    const p = at.command('AT+CSQ', { accept: plusCsq });
    await wrote(1);
    at.feed(Buffer.from([0xff, 0x00, 0x13]));
    at.feed('x'.repeat(600));
    at.feed(Buffer.concat([Buffer.from('\r\n+CSQ: 1'), Buffer.from([0xfe]), Buffer.from('7,99\r\nOK\r\n')]));
    expect(await p).toEqual(['+CSQ: 17,99']);
  });

  it('rejects ERROR and +CMS/+CME errors with the modem response in the message', async () => {
    const { at, wrote } = channel();
    const a = at.command('AT+FOO');
    await wrote(1);
    at.feed('\r\nERROR\r\n');
    await expect(a).rejects.toMatchObject({ code: 'at_error', message: 'AT+FOO: ERROR' });
    const b = at.command('AT+CMGS="1"');
    await wrote(2);
    at.feed('\r\n+CMS ERROR: 500\r\n');
    await expect(b).rejects.toThrow(/\+CMS ERROR: 500/);
  });

  it('a modem that never answers times out instead of hanging the terminal', async () => {
    const { at } = channel({ timeoutMs: 100 });
    const t0 = performance.now();
    await expect(at.command('AT')).rejects.toMatchObject({ code: 'timeout', message: 'no answer to AT within 100 ms' });
    expect(performance.now() - t0).toBeLessThan(600);
  });

  it('a late answer to a timed-out command is not taken for the next one', async () => {
    const { at, written } = channel({ timeoutMs: 100, quietMs: 100 });
    await expect(at.command('AT+CSQ', { accept: plusCsq })).rejects.toMatchObject({ code: 'timeout' });
    const next = at.command('AT+CSQ', { accept: plusCsq });
    // The first command's answer arrives now, while the channel waits for silence.
    await new Promise((r) => setTimeout(r, 30));
    const lateAt = performance.now();
    at.feed('\r\n+CSQ: 5,99\r\n\r\nOK\r\n');
    await waitUntil(() => written.length === 2, 2000);
    expect(written[1]!.atMs).toBeGreaterThan(lateAt);
    at.feed('\r\n+CSQ: 21,99\r\n\r\nOK\r\n');
    expect(await next).toEqual(['+CSQ: 21,99']);
  });

  it('answers the "> " prompt with the text and Ctrl-Z once, even when the prompt comes in pieces', async () => {
    const { at, sent, wrote } = channel();
    const p = at.command('AT+CMGS="+8613800138000"', { payload: '6C4252A9', accept: (l) => l.startsWith('+CMGS:') });
    await wrote(1);
    at.feed('\r\n>');
    at.feed(' ');
    at.feed(' ');
    expect(sent()).toEqual(['AT+CMGS="+8613800138000"\r', '6C4252A9\x1a']);
    at.feed('\r\n+CMGS: 7\r\n\r\nOK\r\n');
    expect(await p).toEqual(['+CMGS: 7']);
  });

  it('a prompt that never comes times out and Esc frees the modem from message entry', async () => {
    const { at, sent } = channel({ timeoutMs: 100 });
    await expect(at.command('AT+CMGS="10086"', { payload: 'x' })).rejects.toMatchObject({ code: 'timeout' });
    expect(sent()).toEqual(['AT+CMGS="10086"\r', '\x1b']);
  });

  it('a vanished port fails the command in flight and every later one until reset()', async () => {
    const { at, wrote } = channel();
    const p = at.command('AT+CSQ', { accept: plusCsq });
    await wrote(1);
    at.fail('unplugged');
    await expect(p).rejects.toMatchObject({ code: 'gone' });
    await expect(at.command('AT')).rejects.toBeInstanceOf(ModemError);
    at.reset();
    const q = at.command('AT');
    await wrote(2);
    at.feed('\r\nOK\r\n');
    await expect(q).resolves.toEqual([]);
  });

  it('a write that throws reads as a gone modem, not an exception', async () => {
    const { at } = channel({
      write: () => {
        throw new Error('EIO');
      },
    });
    await expect(at.command('AT')).rejects.toMatchObject({ code: 'gone', message: expect.stringContaining('EIO') });
  });
});
