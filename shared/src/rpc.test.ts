import { describe, expect, it, vi } from 'vitest';
import { RpcPeer } from './rpc.ts';
import { AppError } from './errors.ts';

describe('RpcPeer', () => {
  it('matches responses to requests by id, and errors carry their code', async () => {
    const sent: { id: number; type: string }[] = [];
    const peer = new RpcPeer({ send: (t) => sent.push(JSON.parse(t)) });
    const a = peer.request('a', {});
    const b = peer.request('b', {});
    expect(sent.map((s) => s.type)).toEqual(['a', 'b']);
    peer.handleFrame({ id: sent[1]!.id, ok: false, error: { code: 'call_not_found', message: 'gone' } });
    peer.handleFrame({ id: sent[0]!.id, ok: true, data: { x: 1 } });
    await expect(a).resolves.toEqual({ x: 1 });
    await expect(b).rejects.toMatchObject({ code: 'call_not_found', message: 'gone' });
    expect(peer.pendingCount).toBe(0);
  });
  it('times out and ignores the late answer', async () => {
    vi.useFakeTimers();
    const sent: { id: number }[] = [];
    const peer = new RpcPeer({ send: (t) => sent.push(JSON.parse(t)), timeoutMs: 50 });
    const p = peer.request('slow', {});
    vi.advanceTimersByTime(60);
    await expect(p).rejects.toMatchObject({ code: 'timeout' });
    expect(peer.handleFrame({ id: sent[0]!.id, ok: true, data: {} })).toBe(true);
    vi.useRealTimers();
  });
  it('fails everything pending on disconnect; events are left to the caller', async () => {
    const peer = new RpcPeer({ send: () => {} });
    const p = peer.request('x', {});
    peer.failAll('socket closed');
    await expect(p).rejects.toBeInstanceOf(AppError);
    await expect(p).rejects.toMatchObject({ code: 'disconnected' });
    expect(peer.handleFrame({ type: 'call.ended', data: {} })).toBe(false);
  });
  it('an unknown error code from the peer becomes internal', async () => {
    const sent: { id: number }[] = [];
    const peer = new RpcPeer({ send: (t) => sent.push(JSON.parse(t)) });
    const p = peer.request('x', {});
    peer.handleFrame({ id: sent[0]!.id, ok: false, error: { code: 'made_up', message: 'm' } });
    await expect(p).rejects.toMatchObject({ code: 'internal' });
  });
});
