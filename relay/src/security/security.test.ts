import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { AppError } from '@helppoint/shared';
import { LoginThrottle } from './LoginThrottle.ts';
import { weakness } from './passwordPolicy.ts';
import { validateImage } from './imageValidation.ts';
import { CoalescedUpdates } from './CoalescedUpdates.ts';
import { TerminalMessageLimits, DEFAULT_TERMINAL_LIMITS } from './TerminalMessageLimits.ts';
import { parseRange } from '../routes/historyRoutes.ts';
import { DiskGuard } from './DiskGuard.ts';

const codeOf = (fn: () => unknown): string | null => {
  try {
    fn();
    return null;
  } catch (e) {
    return e instanceof AppError ? e.code : 'thrown';
  }
};

describe('LoginThrottle', () => {
  const limits = { perAccount: 3, perAddress: 5, windowMs: 60_000, baseBackoffMs: 1000, maxBackoffMs: 8000 };

  it('counts an attempt when it starts: parallel attempts cannot all pass the check', () => {
    const t = new LoginThrottle(limits, () => 0);
    const started = [];
    let refused = 0;
    for (let i = 0; i < 50; i++) {
      try {
        started.push(t.begin({ account: 'officer1', address: '10.0.0.9' }));
      } catch {
        refused++;
      }
    }
    // Three free attempts for the account may be in flight at once; every other one is refused before any hash.
    expect(started.length).toBe(3);
    expect(refused).toBe(47);
  });

  it('backs off (doubling, capped) instead of locking out, with retryAfterS, and an admin unlock ends it', () => {
    let now = 0;
    const t = new LoginThrottle(limits, () => now);
    for (let i = 0; i < 3; i++) t.begin({ account: 'officer1', address: `10.0.0.${i}` }).failed();
    let err: AppError | null = null;
    try {
      t.begin({ account: 'officer1', address: '10.0.0.50' });
    } catch (e) {
      err = e as AppError;
    }
    expect(err?.code).toBe('too_many_attempts');
    expect(err?.details?.['retryAfterS']).toBe(1);
    now += 1000;
    t.begin({ account: 'officer1', address: '10.0.0.51' }).failed();
    expect(codeOf(() => t.begin({ account: 'officer1', address: '10.0.0.52' }))).toBe('too_many_attempts');
    now += 2000;
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      t.begin({ account: 'officer1', address: `10.1.0.${i}` }).failed();
      try {
        t.begin({ account: 'officer1', address: '10.2.0.1' });
      } catch (e) {
        waits.push((e as AppError).details!['retryAfterS'] as number);
      }
      now += 8000;
    }
    expect(waits).toEqual([4, 8, 8, 8, 8, 8]); // capped: slowed, never locked out for good
    expect(t.unlockAccount('OFFICER1')).toBe(true);
    expect(codeOf(() => t.begin({ account: 'officer1', address: '10.2.0.1' }).succeeded())).toBeNull();
  });

  it('per address first: one address guessing many usernames backs off, other addresses do not', () => {
    const t = new LoginThrottle(limits, () => 0);
    for (let i = 0; i < 5; i++) t.begin({ account: `user${i}`, address: '10.9.9.9' }).failed();
    expect(codeOf(() => t.begin({ account: 'officer2', address: '10.9.9.9' }))).toBe('too_many_attempts');
    expect(codeOf(() => t.begin({ account: 'officer2', address: '10.9.9.8' }).succeeded())).toBeNull();
  });

  it('an attacker guessing an account does not slow the officer on a known device', () => {
    const t = new LoginThrottle(limits, () => 0);
    for (let i = 0; i < 3; i++) t.begin({ account: 'officer1', address: `10.3.0.${i}` }).failed();
    expect(codeOf(() => t.begin({ account: 'officer1', address: '10.4.0.1' }))).toBe('too_many_attempts');
    expect(codeOf(() => t.begin({ account: 'officer1', address: '10.4.0.1', trustedDevice: 'desk-7' }).succeeded())).toBeNull();
  });

  it('a success does not reset the address budget (a valid own account cannot launder guesses)', () => {
    const t = new LoginThrottle(limits, () => 0);
    for (let i = 0; i < 4; i++) t.begin({ account: `user${i}`, address: '10.5.5.5' }).failed();
    t.begin({ account: 'mine', address: '10.5.5.5' }).succeeded();
    t.begin({ account: 'user9', address: '10.5.5.5' }).failed();
    expect(codeOf(() => t.begin({ account: 'user10', address: '10.5.5.5' }))).toBe('too_many_attempts');
  });
});

describe('password policy', () => {
  it('refuses the issue\'s examples, common passwords and their variants, and patterns', () => {
    for (const p of ['aaaaaaaaaa', '1234567890', '0987654321', 'qwertyuiop', 'password123', 'Password2024!', 'p@ssw0rd12345', 'woaini1314', 'abcabcabcabc', 'iloveyou!!!', 'sunshine12345', 'qwerty123qwerty123', '1q2w3e4r5t', 'abababababab', '5201314520']) {
      expect(weakness(p, 'officer7'), p).not.toBeNull();
    }
    expect(weakness('officer7-rocks-hard', 'officer7')).toMatch(/username/);
    expect(weakness('short1', 'x')).toMatch(/10 characters/);
  });

  it('accepts passphrases and random passwords', () => {
    for (const p of ['hutong-night-shift', 'tea kettle lantern 9', 'Xq7!vR2#mLp9', 'demo-officer1-long', '鼓楼东大街值班室2号']) expect(weakness(p, 'officer7'), p).toBeNull();
  });
});

describe('image validation', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-img-'));
  const make = (file: string, args: string[]) => {
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=s=64x48', '-frames:v', '1', ...args, '-y', path.join(dir, file)]);
    return fs.readFileSync(path.join(dir, file));
  };
  const jpeg = make('a.jpg', ['-c:v', 'mjpeg', '-f', 'image2']);
  const png = make('a.png', ['-f', 'image2']);

  it('accepts a real JPEG and PNG and reads their size', () => {
    expect(validateImage(jpeg, 'image/jpeg')).toEqual({ mime: 'image/jpeg', width: 64, height: 48 });
    expect(validateImage(png, 'image/png')).toEqual({ mime: 'image/png', width: 64, height: 48 });
  });

  it('refuses magic numbers with anything behind them, truncations, trailing bytes and corrupted chunks', () => {
    const bad = (b: Buffer, mime = 'image/jpeg') => codeOf(() => validateImage(b, mime));
    expect(bad(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(400, 7), Buffer.from([0xff, 0xd9])]))).toBe('bad_image');
    expect(bad(jpeg.subarray(0, jpeg.length - 200))).toBe('bad_image');
    expect(bad(Buffer.concat([jpeg, Buffer.from('<script>alert(1)</script>')]))).toBe('bad_image');
    expect(bad(png, 'image/jpeg')).toBe('bad_image');
    const flipped = Buffer.from(png);
    flipped[40] = flipped[40]! ^ 0xff;
    expect(bad(flipped, 'image/png')).toBe('bad_image');
    expect(bad(png.subarray(0, png.length - 12), 'image/png')).toBe('bad_image');
    expect(bad(jpeg, 'image/gif')).toBe('bad_image');
  });
});

describe('evidence Range parsing', () => {
  it('serves one range of any form, ignores the rest, and knows unsatisfiable ones', () => {
    expect(parseRange('bytes=0-3', 100)).toEqual({ start: 0, end: 3 });
    expect(parseRange('bytes=5-', 100)).toEqual({ start: 5, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-1000', 100)).toEqual({ start: 0, end: 99 });
    expect(parseRange('bytes=0-1,5-9', 100)).toBeNull();
    expect(parseRange('items=0-1', 100)).toBeNull();
    expect(parseRange(undefined, 100)).toBeNull();
    expect(parseRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 100)).toBe('unsatisfiable');
  });
});

describe('coalesced fleet updates', () => {
  it('sends the first update at once, then at most one per key per interval with the newest value', async () => {
    const sent: number[] = [];
    const c = new CoalescedUpdates<number>({ intervalMs: 100, send: (v) => sent.push(v) });
    for (let i = 1; i <= 500; i++) c.push('T1', i);
    expect(sent).toEqual([1]);
    await new Promise((r) => setTimeout(r, 250));
    expect(sent).toEqual([1, 500]);
    c.close();
  });
});

describe('terminal message limits', () => {
  it('refuses a flood of one type without touching the budget of another, and clamps far-off timestamps', () => {
    let now = 1_000_000_000_000;
    const l = new TerminalMessageLimits({ limits: DEFAULT_TERMINAL_LIMITS, logger: pino({ level: 'silent' }), now: () => now });
    let refused = 0;
    for (let i = 0; i < 1000; i++) if (codeOf(() => l.take('T1', 'heartbeat')) === 'rate_limited') refused++;
    expect(refused).toBe(1000 - DEFAULT_TERMINAL_LIMITS.budgets['heartbeat']!.burst);
    expect(codeOf(() => l.take('T1', 'help.request'))).toBeNull();
    expect(codeOf(() => l.take('T2', 'heartbeat'))).toBeNull();
    now += 4000;
    expect(codeOf(() => l.take('T1', 'heartbeat'))).toBeNull();
    expect(l.clampTime('T1', 'pressedAt', now + 365 * 86_400_000)).toBe(now);
    expect(l.clampTime('T1', 'pressedAt', 0)).toBe(now);
    expect(l.clampTime('T1', 'pressedAt', now - 60_000)).toBe(now - 60_000);
    for (let i = 0; i < DEFAULT_TERMINAL_LIMITS.lateDeliveriesPerHour; i++) l.takeLateDelivery('T1');
    expect(codeOf(() => l.takeLateDelivery('T1'))).toBe('rate_limited');
    l.close();
  });
});

describe('disk guard', () => {
  it('goes low below the threshold, refuses new evidence, and recovers only above 1.5x (no flapping)', () => {
    let free = 10_000;
    const changes: boolean[] = [];
    const g = new DiskGuard({ dir: os.tmpdir(), minFreeBytes: 1000, logger: pino({ level: 'silent' }), statfs: () => ({ bavail: free, bsize: 1, blocks: 100_000 }) });
    g.on('changed', (low) => changes.push(low));
    expect(g.low).toBe(false);
    free = 900;
    expect(g.check()).toBe(true);
    expect(codeOf(() => g.assertRoom())).toBe('disk_full');
    free = 1200;
    expect(g.check()).toBe(true);
    free = 1600;
    expect(g.check()).toBe(false);
    expect(codeOf(() => g.assertRoom())).toBeNull();
    expect(changes).toEqual([true, false]);
    g.close();
  });

  it('a failing statfs is logged, not thrown', () => {
    const g = new DiskGuard({ dir: os.tmpdir(), minFreeBytes: 1000, logger: pino({ level: 'silent' }), statfs: () => { throw new Error('EIO'); } });
    expect(g.check()).toBe(false);
    g.close();
  });
});
