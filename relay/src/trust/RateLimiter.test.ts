import { describe, expect, it } from 'vitest';
import { RateLimiter } from './RateLimiter.ts';

describe('RateLimiter', () => {
  it('blocks a key after max failures until its window ends; reset clears it', () => {
    let now = 0;
    const rl = new RateLimiter({ max: 3, windowMs: 1000, now: () => now });
    for (let i = 0; i < 3; i++) {
      expect(rl.blockedFor('a')).toBe(0);
      rl.fail('a');
    }
    expect(rl.blockedFor('a')).toBe(1000);
    expect(rl.blockedFor('b')).toBe(0);
    now = 600;
    expect(rl.blockedFor('a')).toBe(400);
    now = 1000;
    expect(rl.blockedFor('a')).toBe(0);
    rl.fail('a');
    rl.reset('a');
    expect(rl.blockedFor('a')).toBe(0);
  });
});
