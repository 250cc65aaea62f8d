import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TypedEmitter } from '@helppoint/shared';
import { SimButton } from '../hw/SimButton.ts';
import { SimLed } from '../hw/SimLed.ts';
import { Outbox } from '../store/Outbox.ts';
import { CallController } from './CallController.ts';

/** A relay that accepts every press at once. */
class AcceptingSignal extends TypedEmitter<{ event: [string, unknown]; disconnected: [string]; connected: [] }> {
  request<T>(type: string, data: unknown): Promise<T> {
    const d = data as Record<string, unknown>;
    return Promise.resolve((type === 'help.request' ? { callId: `call-${String(d['requestId'])}`, created: true } : {}) as T);
  }
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-ctlm-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Media whose start fails after `failAfterMs`, like a transport closed under it. */
function setup(failAfterMs: number) {
  const lines: { level: number; msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as { level: number; msg: string });
      done();
    },
  });
  const outbox = Outbox.open(dir);
  const button = new SimButton();
  const media = {
    startCall: () => new Promise<void>((_r, reject) => setTimeout(() => reject(new Error('transport closed')), failAfterMs)),
    playOfficerAudio: () => Promise.resolve(),
    stopCall: () => Promise.resolve(),
  };
  const controller = new CallController({
    signal: new AcceptingSignal(),
    media,
    button,
    led: new SimLed(),
    voice: { say: () => undefined },
    logger: pino({ level: 'info' }, sink),
    presses: outbox,
    sms: { alert: () => undefined },
    offlineWaitMs: 60_000,
  });
  const errors = () => lines.filter((l) => l.level >= 50).map((l) => l.msg);
  return { button, controller, outbox, lines, errors };
}

describe('CallController media failures', () => {
  it('a call cancelled while its media was still starting is not reported as an error', async () => {
    const { button, controller, outbox, lines, errors } = setup(50);
    button.press();
    await new Promise((r) => setTimeout(r, 10));
    expect(controller.state.name).toBe('ringing');
    button.longPress();
    await new Promise((r) => setTimeout(r, 100));
    expect(controller.state.name).toBe('idle');
    expect(errors()).toEqual([]);
    expect(lines.some((l) => l.msg.includes('the call had already ended'))).toBe(true);
    controller.close();
    outbox.close();
  });

  it('media that fails during a live call is an error', async () => {
    const { button, controller, outbox, errors } = setup(20);
    button.press();
    await new Promise((r) => setTimeout(r, 80));
    expect(controller.state.name).toBe('ringing');
    expect(errors()).toContain('could not start call media');
    controller.close();
    outbox.close();
  });
});

/** A relay whose officer answers before the terminal has read the answer to its help.request. */
class QuickOfficerSignal extends TypedEmitter<{ event: [string, unknown]; disconnected: [string]; connected: [] }> {
  request<T>(type: string, data: unknown): Promise<T> {
    if (type !== 'help.request') return Promise.resolve({} as T);
    const callId = `call-${String((data as Record<string, unknown>)['requestId'])}`;
    // The ring went out first; the officer's answer (and voice) overtake the reply.
    this.emit('event', 'call.answered', { callId, officer: { id: 1, displayName: '值班民警 王磊' } });
    this.emit('event', 'call.officerAudio', { callId, producerId: 'officer-mic' });
    this.emit('event', 'call.answered', { callId: 'another-call', officer: { id: 2, displayName: 'x' } });
    return new Promise((resolve) => setTimeout(() => resolve({ callId, created: true } as T), 20));
  }
}

describe('CallController and a quick officer', () => {
  it('an answer that arrives before the relay accepted the request still connects the call, and the officer is heard', async () => {
    const outbox = Outbox.open(dir);
    const button = new SimButton();
    const played: string[] = [];
    const controller = new CallController({
      signal: new QuickOfficerSignal(),
      media: { startCall: () => Promise.resolve(), playOfficerAudio: (_c: string, p: string) => (played.push(p), Promise.resolve()), stopCall: () => Promise.resolve() },
      button,
      led: new SimLed(),
      voice: { say: () => undefined },
      logger: pino({ level: 'silent' }),
      presses: outbox,
      sms: { alert: () => undefined },
      offlineWaitMs: 60_000,
    });
    button.press();
    await new Promise((r) => setTimeout(r, 80));
    expect(controller.state.name).toBe('connected');
    expect(played).toEqual(['officer-mic']);
    controller.close();
    outbox.close();
  });
});
