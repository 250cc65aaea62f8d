import { describe, expect, it } from 'vitest';
import { NonceBook } from './NonceBook.ts';

describe('NonceBook', () => {
  it('a nonce works once, on its own connection, within its lifetime', () => {
    let now = 1000;
    const book = new NonceBook({ ttlMs: 100, now: () => now });
    const a = book.issue('conn-a');
    expect(book.consume(a, 'conn-a')).toBe('ok');
    expect(book.consume(a, 'conn-a')).toBe('replayed');
    const b = book.issue('conn-b');
    expect(book.consume(b, 'conn-a')).toBe('other_connection');
    expect(book.consume(b, 'conn-b')).toBe('replayed'); // the theft spent it
    const c = book.issue('conn-c');
    now += 101;
    expect(book.consume(c, 'conn-c')).toBe('expired');
    expect(book.consume('made-up', 'conn-c')).toBe('unknown');
  });

  it('forgets unanswered nonces of closed connections and sweeps old ones', () => {
    let now = 0;
    const book = new NonceBook({ ttlMs: 10, now: () => now });
    const n = book.issue('x');
    book.forget('x');
    expect(book.consume(n, 'x')).toBe('unknown');
    for (let i = 0; i < 5; i++) book.issue(`c${i}`);
    now += 1000;
    book.issue('late');
    expect(book.size).toBe(1);
  });
});
