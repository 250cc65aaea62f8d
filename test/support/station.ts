import net from 'node:net';
import { RawPeer } from './relayHarness.ts';

/**
 * Helpers for fault-injection tests that look at the station the way an
 * officer would: signed in, through the API and the console socket.
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export async function signIn(baseUrl: string, username = 'officer1', password = 'demo-officer1'): Promise<string> {
  const res = await fetch(`${baseUrl}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (res.status !== 200) throw new Error(`login: HTTP ${res.status}`);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

export interface CallRow {
  id: string;
  requestId: string;
  terminalId: string;
  state: string;
  endReason: string | null;
}

export async function listCalls(baseUrl: string, cookie: string, terminalId?: string): Promise<CallRow[]> {
  const q = terminalId ? `?terminalId=${terminalId}&limit=500` : '?limit=500';
  const res = await fetch(`${baseUrl}/api/calls${q}`, { headers: { cookie } });
  if (res.status !== 200) throw new Error(`calls: HTTP ${res.status}`);
  return ((await res.json()) as { calls: CallRow[] }).calls;
}

/** A signed-in console socket that records every call.updated. */
export async function openConsole(baseUrl: string, cookie: string): Promise<{ peer: RawPeer; updates: () => { id: string; state: string; endReason: string | null; terminal: { id: string }; pressedAt?: number }[] }> {
  const peer = await RawPeer.open(`${baseUrl.replace('http', 'ws')}/ws/console`, { cookie });
  const hello = await peer.request(1, 'hello', {});
  if (hello['ok'] !== true) throw new Error(`console hello refused: ${JSON.stringify(hello)}`);
  return {
    peer,
    updates: () =>
      peer.frames
        .filter((f) => f['type'] === 'call.updated')
        .map((f) => (f['data'] as { call: { id: string; state: string; endReason: string | null; terminal: { id: string }; pressedAt?: number } }).call),
  };
}
