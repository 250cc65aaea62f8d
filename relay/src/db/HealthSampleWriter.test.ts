import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { HealthSampleWriter, type SampleTuple } from './HealthSampleWriter.ts';

const row = (at: number): SampleTuple => ['XC-HT-001', at, 50, -70, 20, 0.2, '{}'];

describe('HealthSampleWriter', () => {
  it('when its thread cannot work (here: the database is not a file it can open), every batch is handed to the main thread instead, none lost', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hp-writer-'));
    const written: SampleTuple[] = [];
    const fallback = vi.fn((rows: SampleTuple[]) => {
      written.push(...rows);
      return 0;
    });
    // A directory is no SQLite file: the worker throws as it opens it.
    const writer = new HealthSampleWriter({ file: dir, fallback });
    writer.write([row(1), row(2)]);
    await vi.waitFor(() => expect(written).toHaveLength(2), { timeout: 10_000 });
    writer.write([row(3)]);
    expect(written.map((r) => r[1])).toEqual([1, 2, 3]);
    expect(writer.drain(100)).toBe(true);
    await writer.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
