import dgram from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { freeUdpPortPair } from './freeUdpPorts.ts';
import { waitForUdpListeners } from './udpListening.ts';

const never = new Promise<void>(() => undefined);

describe('waitForUdpListeners', () => {
  it('sees a port once a socket binds it, after the wait began', async () => {
    const port = await freeUdpPortPair();
    const sock = dgram.createSocket('udp4');
    setTimeout(() => sock.bind(port, '127.0.0.1'), 150);
    const started = Date.now();
    try {
      expect(await waitForUdpListeners([port], { timeoutMs: 5000, gaveUp: never })).toBe(true);
      expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    } finally {
      sock.close();
    }
  });

  it('gives up when nobody binds, or when the listener is gone', async () => {
    const port = await freeUdpPortPair();
    expect(await waitForUdpListeners([port], { timeoutMs: 200, gaveUp: never })).toBe(false);
    expect(await waitForUdpListeners([port], { timeoutMs: 10_000, gaveUp: Promise.resolve() })).toBe(false);
  });
});
