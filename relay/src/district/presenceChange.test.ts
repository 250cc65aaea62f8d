import { describe, expect, it } from 'vitest';
import type { FleetEntry, TerminalHealth } from '@helppoint/shared';
import { sampleHealth } from '../db/testSupport.ts';
import { districtChangeKey } from './presenceChange.ts';

// Camera delivering frames: the district's camera-ok flag is on.
const health = (over: Partial<TerminalHealth> = {}): TerminalHealth => sampleHealth({ cpuTempC: 48.2, camera: { framesDelivered: 10, lastFrameAgoS: 1 }, ...over });
const entry = (over: Partial<FleetEntry> = {}): FleetEntry => ({ terminalId: 'XC-HT-001', online: true, lastHeartbeatAt: 1, heartbeatLagMs: 0, health: health(), alarm: null, lastSelfTest: null, ...over });

describe('what of a heartbeat the district would notice', () => {
  it('a routine heartbeat (new time, lag, uptime, a fraction of a degree, a dB of signal) is no change', () => {
    const a = districtChangeKey(entry());
    expect(districtChangeKey(entry({ lastHeartbeatAt: 10_001, heartbeatLagMs: 12, health: health({ uptimeS: 20, cpuTempC: 48.9, load1: 0.7, lte: { present: true, rssiDbm: -72, csq: 21, registration: 'home', operator: 'CHINA MOBILE' } }) }))).toBe(a);
  });

  it('going offline, a camera that stopped, overheating, an alarm, a new version or self-test are changes', () => {
    const a = districtChangeKey(entry());
    const changed = [
      entry({ online: false }),
      entry({ health: health({ camera: { framesDelivered: 10, lastFrameAgoS: 90 } }) }),
      entry({ health: health({ cpuTempC: 71 }) }),
      entry({ health: health({ lte: { present: true, rssiDbm: -95, csq: 8, registration: 'home', operator: null } }) }),
      entry({ health: health({ version: '0.2.0' }) }),
      entry({ alarm: { kind: 'tamper', active: true, raisedAt: 5, clearedAt: null } }),
      entry({ lastSelfTest: { startedAt: 1, finishedAt: 2, trigger: 'nightly', passed: false, lines: [] } }),
      entry({ health: null }),
    ];
    for (const e of changed) expect(districtChangeKey(e), JSON.stringify(e)).not.toBe(a);
  });
});
