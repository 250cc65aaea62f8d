import { describe, expect, it } from 'vitest';
import { TypedEmitter } from '@helppoint/shared';
import type { Tamper, TamperCondition, TamperEvents } from '../hw/Tamper.ts';
import { wiringCheck } from './checks.ts';

function tamper(condition: TamperCondition | null): Tamper {
  const t = new TypedEmitter<TamperEvents>() as unknown as Tamper & { condition: TamperCondition | null; open: boolean | null };
  Object.assign(t, { condition, open: condition === null ? null : condition !== 'closed', close: async () => {} });
  return t;
}

const run = (c: ReturnType<typeof wiringCheck>) => c.run({ signal: new AbortController().signal, prompt: () => {} });

describe('wiring check', () => {
  it('passes an idle button and a closed loop; notes an open door without failing', async () => {
    expect(await run(wiringCheck({ button: { fault: null }, tamper: tamper('closed') }))).toEqual({ status: 'pass', detail: 'button line idle; door loop closed' });
    expect(await run(wiringCheck({ button: {}, tamper: tamper('open') }))).toMatchObject({ status: 'pass', detail: expect.stringMatching(/door open/) });
    expect(await run(wiringCheck({ button: {}, tamper: null }))).toEqual({ status: 'pass', detail: 'button line idle' });
  });

  it('fails a stuck button line and a cut or shorted loop, saying which', async () => {
    const stuck = await run(wiringCheck({ button: { fault: 'button line (BCM 17) reads pressed since start-up' }, tamper: tamper('cut') }));
    expect(stuck.status).toBe('fail');
    expect(stuck.detail).toMatch(/BCM 17.*; door loop reads CUT/);
    expect(await run(wiringCheck({ button: {}, tamper: tamper('short') }))).toMatchObject({ status: 'fail', detail: expect.stringMatching(/SHORTED/) });
    expect(await run(wiringCheck({ button: {}, tamper: tamper(null) }))).toMatchObject({ status: 'fail', detail: 'door loop cannot be read' });
  });
});
