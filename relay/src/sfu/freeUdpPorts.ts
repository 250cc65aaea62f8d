import dgram from 'node:dgram';

function bind(port: number): Promise<dgram.Socket | null> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket('udp4');
    sock.once('error', () => {
      sock.close();
      resolve(null);
    });
    sock.bind(port, '127.0.0.1', () => resolve(sock));
  });
}

/**
 * A free RTP/RTCP port pair (p, p+1) on 127.0.0.1 for an ffmpeg RTP input.
 * The sockets are released before returning, so another process could take
 * them in between; the caller treats a failed ffmpeg start as a failed
 * recording, not a crash.
 */
export async function freeUdpPortPair(attempts = 20): Promise<number> {
  for (let i = 0; i < attempts; i++) {
    const first = await bind(0);
    if (!first) continue;
    const port = (first.address() as { port: number }).port;
    const second = port < 65535 ? await bind(port + 1) : null;
    first.close();
    second?.close();
    if (second) return port;
  }
  throw new Error('no free UDP port pair on 127.0.0.1');
}
