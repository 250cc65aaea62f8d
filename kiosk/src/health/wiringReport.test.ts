import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { TypedEmitter, type SelfTestReport } from '@helppoint/shared';
import type { ButtonEvents } from '../hw/Button.ts';
import { ButtonTap } from '../doctor/ButtonTap.ts';
import { waitUntil } from '../hw/testing/waitUntil.ts';
import { Supervision, type SupervisionOptions } from './Supervision.ts';

/** A button driver that can report a stuck line, like GpioButton does. */
class StuckableButton extends TypedEmitter<ButtonEvents> {
  fault: string | null = null;
  readNow(): boolean {
    return false;
  }
  async close(): Promise<void> {}
  stick(): void {
    this.fault = 'button line (BCM 17) reads pressed since start-up for over 10 s: short to ground, missing pull-up or jammed button';
    this.emit('fault', this.fault);
  }
}

class FakeSignal extends TypedEmitter<{ connected: [] }> {
  ready = false;
  lastRttMs = null;
  clockOffsetMs = null;
  sent: Array<{ type: string; data: unknown }> = [];
  async request<T>(type: string, data: unknown): Promise<T> {
    if (!this.ready) throw new Error('not connected');
    this.sent.push({ type, data });
    return undefined as T;
  }
}

describe('a wiring fault reaches the relay at once', () => {
  it('as a one-line self-test report, kept and sent after a reconnect when the relay was away', async () => {
    const driver = new StuckableButton();
    const signal = new FakeSignal();
    const sup = new Supervision({
      signal,
      relayUrl: 'ws://127.0.0.1:1/ws/terminal',
      version: 'test',
      button: new ButtonTap(driver),
      led: {} as SupervisionOptions['led'],
      camera: { framesDelivered: 0 } as SupervisionOptions['camera'],
      microphone: {} as SupervisionOptions['microphone'],
      speaker: {} as SupervisionOptions['speaker'],
      tamper: null,
      modem: null,
      isIdle: () => true,
      nightlyHour: null,
      logger: pino({ level: 'silent' }),
    });
    driver.stick();
    await new Promise((r) => setTimeout(r, 50));
    expect(signal.sent).toEqual([]); // offline: nothing could go
    signal.ready = true;
    signal.emit('connected');
    await waitUntil(() => signal.sent.length === 1);
    const { type, data } = signal.sent[0] as { type: string; data: { report: SelfTestReport } };
    expect(type).toBe('selftest.report');
    expect(data.report).toMatchObject({ trigger: 'start-up', passed: false });
    expect(data.report.lines).toEqual([expect.objectContaining({ check: 'wiring', status: 'fail', detail: expect.stringMatching(/BCM 17.*short to ground/) })]);
    // Sent once; a later reconnect does not repeat it.
    signal.emit('connected');
    await new Promise((r) => setTimeout(r, 50));
    expect(signal.sent.filter((s) => s.type === 'selftest.report')).toHaveLength(1);
    sup.close();
  });
});
