import { describe, expect, it, vi } from 'vitest';
import { TypedEmitter } from './events.ts';

type Events = { ping: [n: number]; done: [] };

function make() {
  const errors: Array<{ error: unknown; event: string }> = [];
  const emitter = new TypedEmitter<Events>({ onListenerError: (error, event) => errors.push({ error, event }) });
  return { emitter, errors };
}

describe('TypedEmitter', () => {
  it('delivers arguments to every listener in order and reports whether anyone listened', () => {
    const { emitter } = make();
    const seen: string[] = [];
    emitter.on('ping', (n) => seen.push(`a${n}`));
    emitter.on('ping', (n) => seen.push(`b${n}`));
    expect(emitter.emit('ping', 7)).toBe(true);
    expect(emitter.emit('done')).toBe(false);
    expect(seen).toEqual(['a7', 'b7']);
  });

  it('a prepended listener runs before those already there, and off removes it', () => {
    const { emitter } = make();
    const seen: string[] = [];
    const first = (n: number) => seen.push(`first${n}`);
    emitter.on('ping', (n) => seen.push(`a${n}`));
    emitter.prependListener('ping', first);
    emitter.emit('ping', 1);
    emitter.off('ping', first);
    emitter.emit('ping', 2);
    expect(seen).toEqual(['first1', 'a1', 'a2']);
  });

  it('once fires a single time and off removes a listener (also a once one)', () => {
    const { emitter } = make();
    const once = vi.fn();
    const removed = vi.fn();
    const removedOnce = vi.fn();
    emitter.once('ping', once);
    emitter.on('ping', removed);
    emitter.once('ping', removedOnce);
    emitter.off('ping', removed).off('ping', removedOnce);
    emitter.emit('ping', 1);
    emitter.emit('ping', 2);
    expect(once).toHaveBeenCalledTimes(1);
    expect(once).toHaveBeenCalledWith(1);
    expect(removed).not.toHaveBeenCalled();
    expect(removedOnce).not.toHaveBeenCalled();
    expect(emitter.listenerCount('ping')).toBe(0);
  });

  it('a throwing listener is reported and the others still run', () => {
    const { emitter, errors } = make();
    const after = vi.fn();
    const boom = new Error('boom');
    emitter.on('ping', () => {
      throw boom;
    });
    emitter.on('ping', after);
    expect(() => emitter.emit('ping', 1)).not.toThrow();
    expect(after).toHaveBeenCalledWith(1);
    expect(errors).toEqual([{ error: boom, event: 'ping' }]);
  });

  it('an async listener rejection is reported, not left unhandled', async () => {
    const { emitter, errors } = make();
    const boom = new Error('later');
    emitter.on('done', async () => {
      throw boom;
    });
    emitter.emit('done');
    await new Promise((r) => setImmediate(r));
    expect(errors).toEqual([{ error: boom, event: 'done' }]);
  });

  it('removing a listener during emit does not skip the next one', () => {
    const { emitter } = make();
    const second = vi.fn();
    const first = () => emitter.off('ping', first);
    emitter.on('ping', first);
    emitter.on('ping', second);
    emitter.emit('ping', 1);
    expect(second).toHaveBeenCalledTimes(1);
    expect(emitter.listenerCount('ping')).toBe(1);
  });

  it('falls back to the logger when no error handler is given', () => {
    const logger = { error: vi.fn() };
    const emitter = new TypedEmitter<Events>({ logger: logger as never });
    emitter.on('done', () => {
      throw new Error('x');
    });
    emitter.emit('done');
    expect(logger.error).toHaveBeenCalledTimes(1);
  });
});
