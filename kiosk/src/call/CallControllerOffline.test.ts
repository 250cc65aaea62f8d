import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TypedEmitter } from '@helppoint/shared';
import { SimButton } from '../hw/SimButton.ts';
import { SimLed } from '../hw/SimLed.ts';
import { Outbox } from '../store/Outbox.ts';
import { CallController } from './CallController.ts';

/** A relay link that is up or down as the test says; records what was sent and what the outbox held at that moment. */
class FakeSignal extends TypedEmitter<{ event: [string, unknown]; disconnected: [string]; connected: [] }> {
  up = false;
  readonly sent: { type: string; data: Record<string, unknown>; inOutbox: boolean }[] = [];
  outbox: Outbox | null = null;
  request<T>(type: string, data: unknown): Promise<T> {
    const d = data as Record<string, unknown>;
    this.sent.push({ type, data: d, inOutbox: typeof d['requestId'] === 'string' && this.outbox?.get(d['requestId']) !== null });
    if (!this.up) return Promise.reject(Object.assign(new Error('not connected'), { code: 'disconnected' }));
    return Promise.resolve({ callId: `call-for-${String(d['requestId'])}`, created: true } as T);
  }
}

const tick = () => new Promise((r) => setTimeout(r, 10));
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-ctl-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function setup(offlineWaitMs = 60_000) {
  const outbox = Outbox.open(dir);
  const signal = new FakeSignal();
  signal.outbox = outbox;
  const button = new SimButton();
  const alerts: string[] = [];
  const media = { startCall: () => Promise.resolve(), playOfficerAudio: () => Promise.resolve(), stopCall: () => Promise.resolve() };
  const controller = new CallController({
    signal,
    media,
    button,
    led: new SimLed(),
    voice: { say: () => undefined },
    logger: pino({ level: 'silent' }),
    presses: outbox,
    sms: { alert: (id) => alerts.push(id) },
    offlineWaitMs,
  });
  return { outbox, signal, button, alerts, controller };
}

describe('CallController when the relay is unreachable', () => {
  it('once closed (the service stopping) a press or a failed request touches nothing: the outbox may already be closed', async () => {
    const { outbox, signal, button, alerts, controller } = setup(20);
    button.press();
    controller.close();
    outbox.close();
    // The closing link rejects the request, and the offline wait would have texted: both after the close.
    await tick();
    await tick();
    button.press();
    await tick();
    expect(signal.sent).toHaveLength(1);
    expect(alerts).toEqual([]);
    expect(controller.state.name).toBe('requesting');
  });

  it('writes the press before sending, texts once, and sends the same request when the link returns', async () => {
    const { outbox, signal, button, alerts, controller } = setup();
    button.press();
    await tick();
    expect(signal.sent).toHaveLength(1);
    expect(signal.sent[0]!.inOutbox).toBe(true);
    const requestId = signal.sent[0]!.data['requestId'] as string;
    expect(controller.state).toMatchObject({ name: 'offline', requestId });
    expect(controller.lastPrompt).toBe('network_problem');
    expect(alerts).toEqual([requestId]);

    signal.up = true;
    signal.emit('connected');
    await tick();
    expect(signal.sent.map((s) => s.data['requestId'])).toEqual([requestId, requestId]);
    expect(controller.state).toMatchObject({ name: 'ringing', callId: `call-for-${requestId}` });
    expect(outbox.get(requestId)!.deliveredAt).not.toBeNull();
    expect(alerts).toHaveLength(1);
    controller.close();
    outbox.close();
  });

  it('after the wait times out it goes idle and leaves the press in the outbox for late delivery', async () => {
    const { outbox, button, controller } = setup(30);
    button.press();
    await new Promise((r) => setTimeout(r, 80));
    expect(controller.state.name).toBe('idle');
    expect(controller.activeRequestId).toBeNull();
    expect(outbox.pending()).toHaveLength(1);
    controller.close();
    outbox.close();
  });

  it('a press at start-up is recorded at once and waits for the first connection instead of texting', async () => {
    const { outbox, signal, button, alerts, controller } = setup();
    controller.holdPressesUntilConnected(5000);
    button.press();
    button.press(); // bounce / impatience: still one press
    await tick();
    expect(outbox.pending()).toHaveLength(1);
    expect(signal.sent).toEqual([]);
    signal.up = true;
    signal.emit('connected');
    await tick();
    expect(signal.sent).toHaveLength(1);
    expect(signal.sent[0]!.inOutbox).toBe(true);
    expect(controller.state.name).toBe('ringing');
    expect(alerts).toEqual([]);
    controller.close();
    outbox.close();
  });

  it('a start-up press whose link does not come in time takes the SMS path', async () => {
    const { button, alerts, controller, outbox } = setup();
    controller.holdPressesUntilConnected(20);
    button.press();
    await new Promise((r) => setTimeout(r, 60));
    expect(controller.state.name).toBe('offline');
    expect(alerts).toHaveLength(1);
    controller.close();
    outbox.close();
  });
});
