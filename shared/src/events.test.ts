import { describe, expect, it } from 'vitest';
import { TypedEmitter, waitFor } from './events.ts';

describe('TypedEmitter', () => {
  it('a throwing listener is reported and does not stop the others', () => {
    const e = new TypedEmitter<{ ping: [number] }>();
    const errors: unknown[] = [];
    e.onListenerError = (err) => errors.push(err);
    const got: number[] = [];
    e.on('ping', () => {
      throw new Error('boom');
    });
    e.on('ping', (n) => got.push(n));
    e.emit('ping', 5);
    expect(got).toEqual([5]);
    expect(errors).toHaveLength(1);
  });
  it('once fires once; waitFor resolves with the args', async () => {
    const e = new TypedEmitter<{ a: [string] }>();
    let n = 0;
    e.once('a', () => n++);
    const w = waitFor(e, 'a', 1000);
    e.emit('a', 'x');
    e.emit('a', 'y');
    expect(n).toBe(1);
    await expect(w).resolves.toEqual(['x']);
  });
});
