import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallView } from '@helppoint/shared';
import { RawPeer, startTestRelay } from '../support/relayHarness.ts';
import { signIn } from '../support/station.ts';
import { connectTerminal } from '../support/terminalKeys.ts';

/**
 * A press whose first commit fails (the call row and the standing camera's
 * and microphone's media events go to disk in one transaction).
 * Nothing may ring and nothing may stay half-open; the kiosk's outbox sends
 * the same request again, and that one must ring once, as a whole call.
 */
const T = 'XC-SCH-001';
const VP8 = { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90_000 }], encodings: [{ ssrc: 3_333_001 }] };
const OPUS = { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48_000, channels: 2 }], encodings: [{ ssrc: 3_333_002 }] };

let relay: Awaited<ReturnType<typeof startTestRelay>>;
let terminal: RawPeer;
let desk: RawPeer;
const ok = <T>(frame: Record<string, unknown>): T => {
  if (frame['ok'] !== true) throw new Error(`refused: ${JSON.stringify(frame)}`);
  return frame['data'] as T;
};
const rings = (callId?: string) =>
  desk.frames.filter((f) => f['type'] === 'call.updated').map((f) => (f['data'] as { call: CallView }).call).filter((v) => callId === undefined || v.id === callId);

beforeAll(async () => {
  relay = await startTestRelay();
  const connected = await connectTerminal(relay, T);
  terminal = connected.peer;
  ok(connected.hello);
  const send = ok<{ id: string }>(await terminal.request(2, 'rtc.createTransport', { direction: 'send' }));
  ok(await terminal.request(3, 'rtc.produce', { transportId: send.id, kind: 'video', rtpParameters: VP8 }));
  ok(await terminal.request(4, 'rtc.produce', { transportId: send.id, kind: 'audio', rtpParameters: OPUS }));
  desk = await RawPeer.open(`${relay.url.replace('http', 'ws')}/ws/console`, { cookie: await signIn(relay.url) });
  ok(await desk.request(1, 'hello', {}));
}, 60_000);
afterAll(async () => {
  terminal?.close();
  desk?.close();
  await relay?.close();
});

describe('a press whose commit fails', () => {
  it('rings nothing and leaves nothing open; the same request sent again rings one whole call', async () => {
    const calls = relay.relay.repos.calls;
    // The commit fails after the work inside it (as a full or failing disk makes COMMIT fail):
    // SQLite rolls back the call row and the media events written in the same transaction.
    const atomically = calls.atomically.bind(calls);
    let failures = 0;
    calls.atomically = (<T>(fn: () => T): T =>
      atomically(() => {
        const result = fn();
        if (failures === 0) {
          failures += 1;
          throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
        }
        return result;
      })) as typeof calls.atomically;
    const closed: string[] = [];
    relay.relay.calls.on('callClosed', (callId) => void closed.push(callId));
    const requestId = 'press-rollback-0001';
    const before = rings().length;

    const refused = await terminal.request(5, 'help.request', { requestId });
    expect(refused['ok']).toBe(false);
    expect(failures).toBe(1);
    // The transaction rolled back: no row, no live call, and whoever the opening told has let go.
    expect(calls.getByRequestId(requestId)).toBeNull();
    expect(relay.relay.calls.openCallOf(T)).toBeNull();
    expect(relay.relay.calls.openCalls()).toEqual([]);
    expect(closed).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(rings().length).toBe(before);

    // The kiosk's outbox repeats the request unchanged.
    const { callId, created } = ok<{ callId: string; created: boolean }>(await terminal.request(6, 'help.request', { requestId }));
    expect(created).toBe(true);
    const rung = await desk.until(() => rings(callId).find((v) => v.state === 'ringing'));
    expect(rung.producers.map((p) => p.kind).sort()).toEqual(['audio', 'video']);
    expect(calls.getByRequestId(requestId)?.id).toBe(callId);
    expect(relay.relay.calls.openCalls().map((c) => c.id)).toEqual([callId]);
    // Its media events are on record once each, none left over from the failed attempt.
    expect(calls.events(callId).filter((e) => e.type === 'media')).toHaveLength(2);
    calls.atomically = atomically;
  });
});
