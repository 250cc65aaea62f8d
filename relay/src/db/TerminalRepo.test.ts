import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TerminalRepo } from './TerminalRepo.ts';
import type { TerminalKind } from './TerminalRepo.ts';
import { fakeClock, makeTempDb, sampleTerminal } from './testSupport.ts';
import type { TempDb } from './testSupport.ts';

describe('TerminalRepo', () => {
  let tmp: TempDb;
  beforeEach(() => {
    tmp = makeTempDb();
  });
  afterEach(() => tmp.cleanup());

  it('inserts, then updates in place keeping created_at', () => {
    const clock = fakeClock(1000);
    const repo = new TerminalRepo({ db: tmp.open(), now: clock.now });
    const first = repo.upsert(sampleTerminal('XC-SCH-001', { kind: 'school', name: '前海北沿小学 东门', hutong: undefined }));
    expect(first).toMatchObject({ id: 'XC-SCH-001', name: '前海北沿小学 东门', kind: 'school', district: '西城区', hutong: '', createdAt: 1000, updatedAt: 1000 });

    clock.set(5000);
    const second = repo.upsert(sampleTerminal('XC-SCH-001', { kind: 'school', name: '前海北沿小学 北门', notes: '北门外' }));
    expect(second).toMatchObject({ name: '前海北沿小学 北门', notes: '北门外', createdAt: 1000, updatedAt: 5000 });
    expect(repo.count()).toBe(1);
    expect(repo.get('XC-SCH-001')).toEqual(second);
  });

  it('lists in ID order and returns null for an unknown ID', () => {
    const repo = new TerminalRepo({ db: tmp.open() });
    repo.upsert(sampleTerminal('XC-HT-003'));
    repo.upsert(sampleTerminal('XC-HT-001'));
    repo.upsert(sampleTerminal('XC-KG-002', { kind: 'kindergarten' }));
    expect(repo.list().map((t) => t.id)).toEqual(['XC-HT-001', 'XC-HT-003', 'XC-KG-002']);
    expect(repo.get('XC-HT-999')).toBeNull();
  });

  it('rejects an unknown kind and out-of-range coordinates', () => {
    const repo = new TerminalRepo({ db: tmp.open() });
    expect(() => repo.upsert(sampleTerminal('XC-HT-001', { kind: 'bank' as TerminalKind }))).toThrow(/CHECK/);
    expect(() => repo.upsert(sampleTerminal('XC-HT-001', { latitude: 139.9 }))).toThrow(/CHECK/);
    expect(repo.count()).toBe(0);
  });
});
