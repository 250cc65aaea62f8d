import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TypedEmitter } from '@helppoint/shared';
import { Outbox } from './Outbox.ts';
import { OutboxCourier } from './OutboxCourier.ts';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-outbox-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A relay link whose answers the test decides. */
class FakeSignal extends TypedEmitter<{ connected: [] }> {
  ready = true;
  readonly sent: { type: string; data: Record<string, unknown> }[] = [];
  answer: (data: Record<string, unknown>) => Promise<unknown> = (d) => Promise.resolve({ callId: `call-${String(d['requestId'])}`, missed: true });
  request<T>(type: string, data: unknown): Promise<T> {
    this.sent.push({ type, data: data as Record<string, unknown> });
    return this.answer(data as Record<string, unknown>) as Promise<T>;
  }
}

describe('Outbox', () => {
  it('keeps presses across a reopen (a kiosk restart) until delivered; add is idempotent', () => {
    const a = Outbox.open(dir);
    a.add('press-00000001', 1000);
    a.add('press-00000001', 9999); // the same press again keeps its first time
    a.add('press-00000002', 2000);
    a.close();
    const b = Outbox.open(dir);
    expect(b.pending().map((e) => [e.requestId, e.pressedAt])).toEqual([
      ['press-00000001', 1000],
      ['press-00000002', 2000],
    ]);
    b.markDelivered('press-00000001', 'call-1');
    b.markRefused('press-00000002', 'unknown_terminal');
    expect(b.pending()).toEqual([]);
    expect(b.get('press-00000001')).toMatchObject({ callId: 'call-1', refusedCode: null });
    b.close();
    b.close(); // twice is fine
  });

  it('records the SMS once', () => {
    const o = Outbox.open(dir);
    o.add('press-00000003', 1);
    expect(o.markSmsSent('press-00000003')).toBe(true);
    expect(o.markSmsSent('press-00000003')).toBe(false);
    o.close();
  });
});

describe('OutboxCourier', () => {
  const logger = pino({ level: 'silent' });

  it('delivers pending presses late, oldest first, once each, skipping the one the call machine is sending live', async () => {
    const outbox = Outbox.open(dir);
    outbox.add('press-old-0001', 1);
    outbox.add('press-live-0002', 2);
    outbox.add('press-new-0003', 3);
    const signal = new FakeSignal();
    const courier = new OutboxCourier({ outbox, signal, activeRequestId: () => 'press-live-0002', logger, retryMs: 60_000 });
    expect(await courier.flush()).toBe(2);
    expect(signal.sent.map((s) => s.data)).toEqual([
      { requestId: 'press-old-0001', pressedAt: 1, late: true },
      { requestId: 'press-new-0003', pressedAt: 3, late: true },
    ]);
    expect(await courier.flush()).toBe(0);
    expect(signal.sent).toHaveLength(2);
    expect(outbox.pending().map((e) => e.requestId)).toEqual(['press-live-0002']);
    courier.close();
    outbox.close();
  });

  it('keeps a press after a network failure and retries on the next connection; drops it only on a final refusal', async () => {
    const outbox = Outbox.open(dir);
    outbox.add('press-a-000001', 1);
    outbox.add('press-b-000002', 2);
    const signal = new FakeSignal();
    signal.answer = () => Promise.reject(Object.assign(new Error('gone'), { code: 'disconnected' }));
    const courier = new OutboxCourier({ outbox, signal, activeRequestId: () => null, logger, retryMs: 60_000 });
    expect(await courier.flush()).toBe(0);
    expect(signal.sent).toHaveLength(1); // stops at the first network failure
    expect(outbox.pending()).toHaveLength(2);

    signal.answer = (d) => (d['requestId'] === 'press-a-000001' ? Promise.reject(Object.assign(new Error('no'), { code: 'unknown_terminal' })) : Promise.resolve({ callId: 'c-b' }));
    signal.emit('connected');
    await new Promise((r) => setTimeout(r, 20));
    expect(outbox.pending()).toEqual([]);
    expect(outbox.get('press-a-000001')!.refusedCode).toBe('unknown_terminal');
    expect(outbox.get('press-b-000002')!.callId).toBe('c-b');
    expect(outbox.get('press-a-000001')!.attempts).toBe(2);
    courier.close();
    outbox.close();
  });

  it('does nothing while the link is down', async () => {
    const outbox = Outbox.open(dir);
    outbox.add('press-c-000001', 1);
    const signal = new FakeSignal();
    signal.ready = false;
    const courier = new OutboxCourier({ outbox, signal, activeRequestId: () => null, logger });
    expect(await courier.flush()).toBe(0);
    expect(signal.sent).toEqual([]);
    courier.close();
    outbox.close();
  });
});
