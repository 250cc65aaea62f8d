import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { AuditRepo } from '../../relay/src/db/AuditRepo.ts';
import { MediaPeer } from '../../relay/src/sfu/MediaPeer.ts';
import { RawPeer, startTestRelay } from '../support/relayHarness.ts';
import { enrolTerminals, signedHello } from '../support/terminalKeys.ts';
import { openConsole, signIn } from '../support/station.ts';

/**
 * The ring is what an officer waits for (issue 15): it goes onto every console's socket before the relay
 * starts making that console's consumers of the ringing camera. The first consume after a relay starts
 * held the relay's thread for 72 ms (bench-call-setup, press 1), and the ring used to wait behind it.
 * Likewise the offer of those consumers goes out before they are audited (two fsynced writes, 1–20 ms
 * each), and the audit rows are written before the console can resume them.
 */
const VP8 = { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90_000 }], encodings: [{ ssrc: 3_333_001 }] };
const OPUS = { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48_000, channels: 2 }], encodings: [{ ssrc: 3_333_002 }] };

let relay: Awaited<ReturnType<typeof startTestRelay>>;
let terminal: RawPeer;
let officers: Awaited<ReturnType<typeof openConsole>>[] = [];
let id = 10;
const ok = <T>(frame: Record<string, unknown>): T => {
  if (frame['ok'] !== true) throw new Error(`refused: ${JSON.stringify(frame)}`);
  return frame['data'] as T;
};

beforeAll(async () => {
  relay = await startTestRelay();
  const keys = enrolTerminals(relay.relay, ['XC-SCH-001']);
  terminal = await RawPeer.open(`${relay.url.replace('http', 'ws')}/ws/terminal`);
  ok(await signedHello(terminal, 1, 'XC-SCH-001', keys.get('XC-SCH-001')!));
  const send = ok<{ id: string }>(await terminal.request(id++, 'rtc.createTransport', { direction: 'send' }));
  ok(await terminal.request(id++, 'rtc.produce', { transportId: send.id, kind: 'video', rtpParameters: VP8 }));
  ok(await terminal.request(id++, 'rtc.produce', { transportId: send.id, kind: 'audio', rtpParameters: OPUS }));
  // Two officers' consoles, each with a warm receive transport (the relay offers consumers only on one).
  const caps = relay.relay.pool.routerRtpCapabilities as unknown as Record<string, unknown>;
  for (const user of ['officer1', 'officer2']) {
    const officer = await openConsole(relay.url, await signIn(relay.url, user, `demo-${user}`));
    const recv = ok<{ id: string }>(await officer.peer.request(id++, 'rtc.createTransport', { direction: 'recv' }));
    ok(await officer.peer.request(id++, 'rtc.warmUp', { transportId: recv.id, rtpCapabilities: caps }));
    officers.push(officer);
  }
}, 60_000);
afterAll(async () => {
  vi.restoreAllMocks();
  terminal?.close();
  for (const o of officers) o.peer.close();
  officers = [];
  await relay?.close();
});

describe('a press rings every console before its consumers are made', () => {
  it('both rings are on their sockets before the first consume starts; each offer goes out before its audit rows are written', async () => {
    const order: string[] = [];
    const send = WebSocket.prototype.send;
    vi.spyOn(WebSocket.prototype, 'send').mockImplementation(function (this: WebSocket, data: unknown, ...rest: unknown[]) {
      if (typeof data === 'string' && data.includes('"call.updated"') && data.includes('"ringing"')) order.push('ring');
      if (typeof data === 'string' && data.includes('"rtc.consumersOffered"')) order.push('offer');
      return (send as (...a: unknown[]) => void).call(this, data, ...rest);
    });
    const consume = MediaPeer.prototype.consume;
    vi.spyOn(MediaPeer.prototype, 'consume').mockImplementation(function (this: MediaPeer, ...args: Parameters<MediaPeer['consume']>) {
      order.push('consume');
      return consume.apply(this, args);
    });

    const write = AuditRepo.prototype.write;
    vi.spyOn(AuditRepo.prototype, 'write').mockImplementation(function (this: AuditRepo, entry: Parameters<AuditRepo['write']>[0]) {
      if (entry.action === 'camera.view' || entry.action === 'microphone.listen') order.push('audit');
      return write.call(this, entry);
    });

    const { callId } = ok<{ callId: string }>(await terminal.request(id++, 'help.request', { requestId: 'c0ffee00-0000-4000-8000-0000000000b1' }));
    for (const officer of officers) {
      await officer.peer.until(() => officer.peer.frames.find((f) => f['type'] === 'rtc.consumersOffered' && (f['data'] as { callId: string }).callId === callId));
    }
    // Two consoles, two consumers each (camera first): every ring precedes every consume.
    expect(order.indexOf('consume')).toBeGreaterThan(0);
    expect(order.slice(0, order.indexOf('consume'))).toEqual(['ring', 'ring']);
    expect(order.filter((o) => o === 'consume')).toHaveLength(4);
    // Each console's offer, then its two audit rows (camera, microphone), before anything else happens.
    const after = order.slice(order.lastIndexOf('consume') + 1);
    expect(after).toEqual(['offer', 'audit', 'audit', 'offer', 'audit', 'audit']);
    const audited = relay.relay.trust.audit.list({ limit: 50 }).filter((a) => (a.detail as { callId?: string } | null)?.callId === callId);
    expect(audited.map((a) => `${a.actor} ${a.action}`).sort()).toEqual(['user:officer1 camera.view', 'user:officer1 microphone.listen', 'user:officer2 camera.view', 'user:officer2 microphone.listen']);
  });
});
