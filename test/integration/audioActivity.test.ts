import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceKey } from '../../kiosk/src/enrol/deviceKey.ts';
import { RawPeer, startTestRelay } from '../support/relayHarness.ts';
import { enrolTerminals, signedHello } from '../support/terminalKeys.ts';
import { signIn } from '../support/station.ts';

/**
 * call.audioActivity (issue 11): the terminal's microphone level and whether
 * the resident is speaking reach the consoles that see the call; a terminal
 * cannot report into another terminal's call, and bad values are refused.
 */
let relay: Awaited<ReturnType<typeof startTestRelay>>;
let wsBase: string;
let keys: Map<string, DeviceKey>;

beforeAll(async () => {
  relay = await startTestRelay({ recordCalls: false });
  wsBase = relay.url.replace('http', 'ws');
  keys = enrolTerminals(relay.relay, ['XC-HT-003', 'XC-HT-006']);
});
afterAll(async () => {
  await relay?.close();
});

async function terminal(id: string): Promise<RawPeer> {
  const peer = await RawPeer.open(`${wsBase}/ws/terminal`);
  expect((await signedHello(peer, 1, id, keys.get(id)!))['ok']).toBe(true);
  return peer;
}

const errorCode = (r: Record<string, unknown>) => (r['error'] as { code?: string } | undefined)?.code;

describe('call.audioActivity', () => {
  it('goes from the terminal to the console showing the call; another terminal and bad values are refused', async () => {
    const desk = await RawPeer.open(`${wsBase}/ws/console`, { cookie: await signIn(relay.url) });
    expect((await desk.request(1, 'hello', {}))['ok']).toBe(true);
    const t = await terminal('XC-HT-003');
    const other = await terminal('XC-HT-006');
    const press = await t.request(2, 'help.request', { requestId: `req-audio-${Date.now()}` });
    const callId = (press['data'] as { callId: string }).callId;

    expect((await t.request(3, 'call.audioActivity', { callId, inputDbfs: -31.5, speaking: true }))['ok']).toBe(true);
    const shown = await desk.until(() => desk.frames.find((f) => f['type'] === 'call.audioActivity'));
    expect(shown['data']).toEqual({ callId, terminalId: 'XC-HT-003', inputDbfs: -31.5, speaking: true });

    const foreign = await other.request(2, 'call.audioActivity', { callId, inputDbfs: -20, speaking: false });
    expect(errorCode(foreign)).toBe('not_your_call');
    for (const bad of [{ callId, inputDbfs: 12, speaking: true }, { callId, inputDbfs: -20, speaking: 'yes' }, { callId, inputDbfs: -20 }]) {
      const r = await t.request(4, 'call.audioActivity', bad);
      expect(r['ok']).toBe(false);
      expect(errorCode(r)).toMatch(/invalid|bad/);
    }
    expect(desk.frames.filter((f) => f['type'] === 'call.audioActivity')).toHaveLength(1);
    t.close();
    other.close();
    desk.close();
  });
});
