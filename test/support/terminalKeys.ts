import { DeviceKey } from '../../kiosk/src/enrol/deviceKey.ts';
import type { Relay } from '../../relay/src/app.ts';
import { CLI_ACTOR } from '../../relay/src/trust/Actor.ts';
import { RawPeer } from './relayHarness.ts';

/** Enrols terminals of an in-process relay with fresh keys (as the CLI would), returning the keys. */
export function enrolTerminals(relay: Relay, ids: string[]): Map<string, DeviceKey> {
  const keys = new Map<string, DeviceKey>();
  for (const id of ids) {
    const key = DeviceKey.generate();
    const { code } = relay.trust.enrolment.createCode(id, CLI_ACTOR);
    relay.trust.enrolment.redeem(code, key.publicKey, CLI_ACTOR);
    keys.set(id, key);
  }
  return keys;
}

/** The nonce of the auth.challenge the relay sent this peer on connect. */
export async function challengeOf(peer: RawPeer): Promise<string> {
  const frame = await peer.until(() => peer.frames.find((f) => f['type'] === 'auth.challenge'));
  return (frame['data'] as { nonce: string }).nonce;
}

/** A correctly signed hello for this peer's connection. */
export async function signedHello(peer: RawPeer, id: number, terminalId: string, key: DeviceKey, version = 'test'): Promise<Record<string, unknown>> {
  const nonce = await challengeOf(peer);
  return peer.request(id, 'hello', { terminalId, version, nonce, signature: key.signHello(terminalId, nonce) });
}

/**
 * Enrols one terminal of a test relay and opens its terminal socket with a signed hello (request id 1):
 * the terminal side of a call in relay tests that feed the media themselves. The caller checks the hello.
 */
export async function connectTerminal(relay: { relay: Relay; url: string }, terminalId: string): Promise<{ peer: RawPeer; hello: Record<string, unknown> }> {
  const keys = enrolTerminals(relay.relay, [terminalId]);
  const peer = await RawPeer.open(`${relay.url.replace(/^http/, 'ws')}/ws/terminal`);
  return { peer, hello: await signedHello(peer, 1, terminalId, keys.get(terminalId)!) };
}
