import { ConsoleRequests, TerminalRequests } from '@helppoint/shared';

/** A small seeded PRNG (mulberry32) so a failing fuzz run can be replayed with its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NASTY_STRINGS = ['', ' ', 'null', '__proto__', 'constructor', 'prototype', '\u0000', '\ud800', '求助', 'A'.repeat(70), 'XC-SCH-001', 'XC-NOPE-999', "'; DROP TABLE calls; --", '../../etc/passwd', '%00', '${7*7}', 'a'.repeat(5000)];
const NASTY_NUMBERS = [0, -1, 1.5, 2 ** 53, -(2 ** 53), 1e308, Number.MAX_SAFE_INTEGER + 2, 0.1];

export class Fuzzer {
  readonly #r: () => number;
  constructor(seed: number) {
    this.#r = rng(seed);
  }
  int(n: number): number {
    return Math.floor(this.#r() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.#r() < p;
  }

  value(depth = 0): unknown {
    switch (this.int(depth > 3 ? 5 : 8)) {
      case 0:
        return null;
      case 1:
        return this.chance(0.5);
      case 2:
        return this.pick(NASTY_NUMBERS);
      case 3:
        return this.pick(NASTY_STRINGS);
      case 4:
        return this.int(1000);
      case 5:
        return Array.from({ length: this.int(4) }, () => this.value(depth + 1));
      default: {
        const o: Record<string, unknown> = {};
        for (let i = this.int(4); i > 0; i--) o[this.pick([...NASTY_STRINGS.slice(0, 10), 'callId', 'requestId', 'terminalId', 'transportId', 'data', 'id'])] = this.value(depth + 1);
        return o;
      }
    }
  }

  /** A plausible request for one of `types` with its data mutated (or, sometimes, left valid-looking). */
  mutatedRequest(id: number, types: readonly string[]): unknown {
    const type = this.chance(0.9) ? this.pick(types) : this.pick(NASTY_STRINGS);
    const frame: Record<string, unknown> = { id, type, data: this.mutatedData(type) };
    switch (this.int(12)) {
      case 0:
        delete frame['data'];
        break;
      case 1:
        frame['id'] = this.pick([-1, 1.5, 'x', null, 2 ** 60]);
        break;
      case 2:
        delete frame['type'];
        break;
      case 3:
        frame['extra'] = this.value();
        break;
      case 4:
        frame['data'] = this.value();
        break;
      default:
        break;
    }
    return frame;
  }

  mutatedData(type: string): unknown {
    const base: Record<string, unknown> = {
      terminalId: this.pick(['XC-SCH-001', 'XC-HT-003', 'xc-bad', 'XC-NOPE-999']),
      version: 'fuzz',
      requestId: this.pick(['fuzz-req-00000001', 'short', 'x'.repeat(65), `fuzz-${this.int(1e9)}-abcdef`]),
      callId: this.pick(['no-such-call', '', 'x'.repeat(65)]),
      seq: this.pick(NASTY_NUMBERS),
      uptimeS: this.pick(NASTY_NUMBERS),
      direction: this.pick(['send', 'recv', 'sideways']),
      transportId: this.pick(['t1', '']),
      producerId: 'p1',
      consumerId: 'c1',
      kind: this.pick(['audio', 'video', 'smell']),
      rtpParameters: this.value(),
      rtpCapabilities: this.value(),
      dtlsParameters: this.value(),
      pressedAt: this.pick(NASTY_NUMBERS),
      late: this.pick([true, false, 'yes']),
    };
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(base)) if (this.chance(0.3)) out[k] = this.chance(0.2) ? this.value() : v;
    if (type === 'hello' && this.chance(0.3)) return { terminalId: base['terminalId'], version: 'fuzz' };
    return out;
  }

  /** One text (or binary) frame of any kind: mutated requests, random JSON, broken JSON, junk bytes. */
  frame(id: number, types: readonly string[]): string | Buffer {
    switch (this.int(10)) {
      case 0:
        return JSON.stringify(this.value());
      case 1: {
        const s = JSON.stringify(this.mutatedRequest(id, types));
        return s.slice(0, this.int(s.length)); // truncated
      }
      case 2:
        return Buffer.from(Array.from({ length: 1 + this.int(64) }, () => this.int(256)));
      case 3:
        return '['.repeat(2000 + this.int(3000)) + ']'.repeat(2000);
      case 4:
        return JSON.stringify({ id, type: this.pick(types), data: { junk: 'x'.repeat(70 * 1024) } }); // over the frame limit
      default:
        return JSON.stringify(this.mutatedRequest(id, types));
    }
  }
}

export const TERMINAL_TYPES = Object.keys(TerminalRequests);
export const CONSOLE_TYPES = Object.keys(ConsoleRequests);
