import { describe, expect, it } from 'vitest';
import { parseArgs, intList } from '../../scripts/lib/bench/args.ts';
import type { MachineInfo } from '../../scripts/lib/bench/machine.ts';
import { previousHistory, resultLine, writeSection, type BenchReport } from '../../scripts/lib/bench/report.ts';
import { deriveSrtpKeys } from '../../scripts/lib/bench/srtpEncrypt.ts';
import { percentile, summarize } from '../../scripts/lib/bench/stats.ts';

const machine = (date: string): MachineInfo => ({ date, cpu: 'cpu', cores: 2, memGiB: 4, load1: 0.5, kernel: '6', node: 'v24', mediasoup: '3.27.1', commit: 'abc' });
const report = (date: string, headline: string): BenchReport => ({
  id: 'demo',
  title: 'Demo',
  target: 'fast',
  machine: machine(date),
  setup: 'one run',
  table: ['| a |', '| --- |', '| 1 |'],
  headline,
  met: true,
});

describe('benchmark report writer', () => {
  it('appends a missing section and, on later runs, replaces it while keeping earlier runs as history, newest first', () => {
    const doc0 = '# Benchmarks\n\nintro\n\n<!-- BEGIN bench:other -->\nother\n<!-- END bench:other -->\n';
    const doc1 = writeSection(doc0, report('2026-01-01T00:00:00Z', 'first'));
    expect(doc1).toContain('<!-- END bench:other -->');
    expect(doc1).toContain('| 2026-01-01T00:00:00Z | abc | 2 cores, load 0.5 | first | met |');
    const doc2 = writeSection(doc1, report('2026-01-02T00:00:00Z', 'second'));
    expect(doc2.match(/BEGIN bench:demo/g)).toHaveLength(1);
    expect(previousHistory(doc2, 'demo').map((l) => l.split(' | ')[3])).toEqual(['second', 'first']);
    expect(doc2.startsWith(doc0.trimEnd())).toBe(true);
  });

  it('keeps at most 20 history lines', () => {
    let doc = '# B\n';
    for (let i = 0; i < 25; i++) doc = writeSection(doc, report(`2026-01-${String(i + 1).padStart(2, '0')}T00:00:00Z`, `run ${i}`));
    const h = previousHistory(doc, 'demo');
    expect(h).toHaveLength(20);
    expect(h[0]).toContain('run 24');
  });
});

describe('result line', () => {
  it('puts the verdict first, rounds numbers, marks unknowns and keeps values one word', () => {
    expect(resultLine({ met: true, result: { ring_p95_ms: 18.04, first_frame_p50_ms: Number.NaN, link: 'LTE poor', health: false, x: null } })).toBe(
      'result: met=yes ring_p95_ms=18 first_frame_p50_ms=na link=LTE_poor health=false x=na',
    );
    expect(resultLine({ met: null })).toBe('result: met=na');
    expect(resultLine({ met: false, result: { n: 3 } })).toBe('result: met=no n=3');
  });
});

describe('benchmark helpers', () => {
  it('percentiles by nearest rank', () => {
    const v = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentile(v, 50)).toBe(10);
    expect(percentile(v, 95)).toBe(19);
    expect(summarize(v)).toEqual({ n: 20, p50: 10, p95: 19, max: 20 });
    expect(Number.isNaN(percentile([], 50))).toBe(true);
  });

  it('refuses unknown or malformed options instead of running the defaults', () => {
    const d = { sizes: '1000', window: 15, dryRun: false };
    expect(parseArgs(['--window', '3', '--dry-run', '--sizes=10,20'], d, 'usage')).toEqual({ sizes: '10,20', window: 3, dryRun: true });
    expect(() => parseArgs(['--windw', '3'], d, 'usage')).toThrow(/unknown option --windw/);
    expect(() => parseArgs(['--window', 'soon'], d, 'usage')).toThrow(/non-negative number/);
    expect(() => parseArgs(['--window'], d, 'usage')).toThrow(/needs a value/);
    expect(() => intList('10,x', 'sizes')).toThrow(/positive integers/);
  });

  it('derives SRTP session keys as RFC 3711 appendix B.3 says', () => {
    const keys = deriveSrtpKeys(Buffer.from('E1F97A0D3E018BE0D64FA32C06DE4139', 'hex'), Buffer.from('0EC675AD498AFEEBB6960B3AABE6', 'hex'));
    expect(keys.cipherKey.toString('hex').toUpperCase()).toBe('C61E7A93744F39EE10734AFE3FF7A087');
    expect(keys.salt.toString('hex').toUpperCase()).toBe('30CBBC08863D8C85D49DB34A9AE1');
    expect(keys.authKey.toString('hex').toUpperCase()).toBe('CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4');
  });
});
