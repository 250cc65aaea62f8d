import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../db/openDatabase.ts';
import { DistrictOutbox } from './DistrictOutbox.ts';

describe('district outbox', () => {
  it('keeps events in order across a restart until marked sent; the same event id is stored once', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-outbox-'));
    try {
      const file = path.join(dir, 'relay.db');
      let db = openDatabase(file);
      let box = new DistrictOutbox({ db });
      expect(box.add('c1:created', 'hp.calls.b.created', { n: 1 })).toBe(true);
      expect(box.add('c1:ringing', 'hp.calls.b.ringing', { n: 2 })).toBe(true);
      expect(box.add('c1:created', 'hp.calls.b.created', { n: 99 })).toBe(false);
      db.close();
      db = openDatabase(file);
      box = new DistrictOutbox({ db });
      const rows = box.pending();
      expect(rows.map((r) => [r.msgId, JSON.parse(r.payload)])).toEqual([
        ['c1:created', { n: 1 }],
        ['c1:ringing', { n: 2 }],
      ]);
      box.markTried(rows[0]!.id);
      box.markSent(rows[0]!.id);
      expect(box.pending().map((r) => r.msgId)).toEqual(['c1:ringing']);
      expect(box.pendingCount).toBe(1);
      db.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
