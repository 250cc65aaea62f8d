import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Backoff } from './backoff.ts';
import { IceRecovery } from './iceRecovery.ts';

function setUp(over: { restartIce?: () => Promise<void>; rejoin?: () => Promise<void> } = {}) {
  const calls: string[] = [];
  const logs: string[] = [];
  const recovery = new IceRecovery({
    label: 'send',
    log: { info: (_o, m) => logs.push(m), warn: (_o, m) => logs.push(m) },
    restartIce: over.restartIce ?? (async () => void calls.push('restartIce')),
    rejoin: over.rejoin ?? (async () => void calls.push('rejoin')),
    giveUp: () => calls.push('giveUp'),
    graceMs: 2500,
    connectTimeoutMs: 10_000,
    maxRejoins: 3,
    backoff: new Backoff({ initialMs: 1000, maxMs: 4000, random: () => 0 }),
  });
  return { recovery, calls, logs };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('IceRecovery', () => {
  it('a short disconnect that heals within the grace period restarts nothing', async () => {
    const { recovery, calls } = setUp();
    recovery.stateChanged('disconnected');
    await vi.advanceTimersByTimeAsync(2000);
    recovery.stateChanged('connected');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toEqual([]);
    expect(recovery.phase).toBe('ok');
  });

  it('disconnected past the grace period: ICE restart, and it is enough', async () => {
    const { recovery, calls, logs } = setUp();
    recovery.stateChanged('disconnected');
    await vi.advanceTimersByTimeAsync(2499);
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual(['restartIce']);
    recovery.stateChanged('connected');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toEqual(['restartIce']);
    expect(logs).toContain('media transport recovered');
    expect(recovery.restarts).toBe(1);
  });

  it('failed restarts at once; no connection in time leads to re-joins with backoff, then giving up', async () => {
    const { recovery, calls } = setUp();
    recovery.stateChanged('failed');
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toEqual(['restartIce']);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toEqual(['restartIce', 'rejoin']); // the first re-join comes at once
    // The re-joined transport reports failed too: that does not start a second recovery.
    recovery.stateChanged('failed');
    await vi.advanceTimersByTimeAsync(10_000 + 999);
    expect(calls).toEqual(['restartIce', 'rejoin']);
    await vi.advanceTimersByTimeAsync(1); // backoff 1000 ms
    expect(calls).toEqual(['restartIce', 'rejoin', 'rejoin']);
    await vi.advanceTimersByTimeAsync(10_000 + 2000);
    expect(calls).toEqual(['restartIce', 'rejoin', 'rejoin', 'rejoin']);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toEqual(['restartIce', 'rejoin', 'rejoin', 'rejoin', 'giveUp']);
    expect(recovery.phase).toBe('gave_up');
    recovery.stateChanged('failed');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls.length).toBe(5);
  });

  it('a re-join that connects resets the backoff for the next fault', async () => {
    const { recovery, calls } = setUp();
    recovery.stateChanged('failed');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toEqual(['restartIce', 'rejoin']);
    recovery.stateChanged('connected');
    expect(recovery.phase).toBe('ok');
    recovery.stateChanged('failed');
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toEqual(['restartIce', 'rejoin', 'restartIce']);
  });

  it('a refused restart (e.g. the relay lost the transport) re-joins at once', async () => {
    const calls: string[] = [];
    const { recovery } = setUp({
      restartIce: async () => {
        throw new Error('transport_not_found');
      },
      rejoin: async () => void calls.push('rejoin'),
    });
    recovery.stateChanged('failed');
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toEqual(['rejoin']);
  });

  it('a re-join that throws is retried after the backoff, not left hanging', async () => {
    let n = 0;
    const { recovery, calls } = setUp({
      rejoin: async () => {
        n++;
        throw new Error('signalling down');
      },
    });
    recovery.stateChanged('failed');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(n).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(n).toBe(2);
    await vi.advanceTimersByTimeAsync(2000 + 4000);
    expect(n).toBe(3);
    expect(calls).toEqual(['restartIce', 'giveUp']);
  });

  it('close() stops every timer and callback', async () => {
    const { recovery, calls } = setUp();
    recovery.stateChanged('disconnected');
    recovery.close();
    recovery.close();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
