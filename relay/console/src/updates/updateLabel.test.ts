import { describe, expect, it } from 'vitest';
import { updateLabel } from './updateLabel.ts';

describe('fleet page update state', () => {
  it('a rollback names the refused version and carries the reason, marked as a problem', () => {
    expect(updateLabel({ state: 'rolled_back', version: '0.1.0', failedVersion: '0.2.0', reason: 'kiosk 0.2.0 does not start', at: 1 })).toEqual({
      text: '已回滚 Rolled back 0.2.0',
      title: 'kiosk 0.2.0 does not start',
      bad: true,
    });
  });
  it('an update in progress or done is not a problem; no report shows nothing', () => {
    expect(updateLabel({ state: 'confirming', version: '0.2.0', at: 1 })?.bad).toBe(false);
    expect(updateLabel(undefined)).toBeNull();
  });
});
