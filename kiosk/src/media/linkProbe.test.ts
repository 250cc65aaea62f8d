import { describe, expect, it } from 'vitest';
import { PROBE_BELOW_BPS, PROBE_FIRST_BACKOFF_MS, PROBE_MAX_BACKOFF_MS, initialProbe, probeSettled, probeStarted, shouldProbe } from './linkProbe.ts';

describe('uplink probing', () => {
  it('probes a low estimate without loss, not a good one, not a lossy one, and not twice at once', () => {
    const s = initialProbe();
    expect(shouldProbe(s, 95_000, 0, 1_000)).toBe(true);
    expect(shouldProbe(s, 95_000, null, 1_000)).toBe(true);
    expect(shouldProbe(s, PROBE_BELOW_BPS, 0, 1_000)).toBe(false);
    expect(shouldProbe(s, 95_000, 0.08, 1_000)).toBe(false);
    expect(shouldProbe(probeStarted(s, 95_000, 1_000), 95_000, 0, 1_000)).toBe(false);
  });

  it('a probe that lifts the estimate counts as worked at once, and the next may come soon', () => {
    const { state, worked } = probeSettled(probeStarted(initialProbe(), 95_000, 9_800), 1_900_000, 10_000)!;
    expect(worked).toBe(true);
    expect(state.pendingFromBps).toBeNull();
    expect(state.notBefore).toBe(10_000 + PROBE_FIRST_BACKOFF_MS);
    expect(state.backoffMs).toBe(PROBE_FIRST_BACKOFF_MS);
    // A rise by half also counts, below PROBE_BELOW_BPS; less is not (yet) a success.
    expect(probeSettled(probeStarted(initialProbe(), 100_000, 0), 160_000, 250)!.worked).toBe(true);
    expect(probeSettled(probeStarted(initialProbe(), 100_000, 0), 130_000, 250)).toBeNull();
  });

  it('failed probes on a really short link back off, doubling up to a minute', () => {
    let s = initialProbe();
    let now = 0;
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      expect(shouldProbe(s, 150_000, 0, now)).toBe(true);
      const started = probeStarted(s, 150_000, now);
      // Not yet: the probe may still show in the estimate.
      expect(probeSettled(started, 160_000, now + 250)).toBeNull();
      const settled = probeSettled(started, 160_000, now + 1_000)!;
      expect(settled.worked).toBe(false);
      s = settled.state;
      waits.push(s.notBefore - (now + 1_000));
      expect(shouldProbe(s, 150_000, 0, s.notBefore - 1)).toBe(false);
      now = s.notBefore;
    }
    expect(waits).toEqual([2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
    expect(waits.every((w) => w <= PROBE_MAX_BACKOFF_MS)).toBe(true);
    // Once the link comes back, the back-off starts over.
    expect(probeSettled(probeStarted(s, 150_000, now), 1_000_000, now + 250)!.state.backoffMs).toBe(PROBE_FIRST_BACKOFF_MS);
  });
});
