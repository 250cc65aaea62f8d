import { describe, expect, it } from 'vitest';
import { buildReport, percentile, periodStart, reportCsv } from './responseReport.ts';

const MIN = 60_000;

describe('percentile', () => {
  it('interpolates between the closest ranks', () => {
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(percentile([10], 0.9)).toBe(10);
    expect(percentile([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 0.9)).toBe(90);
    expect(percentile([], 0.5)).toBeNull();
  });
});

describe('buildReport', () => {
  const day = new Date(2026, 10, 30, 9, 0, 0).getTime(); // a Monday, local time
  const call = (offsetMin: number, legs: { answer?: number; dispatch?: number; onScene?: number }, terminalId = 'XC-SCH-001') => {
    const pressedAt = day + offsetMin * MIN;
    const answeredAt = legs.answer === undefined ? null : pressedAt + legs.answer;
    const firstDispatchAt = legs.dispatch === undefined || answeredAt === null ? null : answeredAt + legs.dispatch;
    const firstOnSceneAt = legs.onScene === undefined || firstDispatchAt === null ? null : firstDispatchAt + legs.onScene;
    return { callId: `c${offsetMin}`, terminalId, pressedAt, answeredAt, firstDispatchAt, firstOnSceneAt };
  };

  it('measures each leg per day, counts calls within the target, and leaves legs that did not happen out', () => {
    const rows = [
      call(0, { answer: 10_000, dispatch: 30_000, onScene: 4 * MIN }),
      call(5, { answer: 20_000, dispatch: 60_000, onScene: 8 * MIN }),
      call(10, { answer: 5_000 }), // answered, nobody sent
      call(15, {}), // nobody answered
      call(24 * 60, { answer: 1_000, dispatch: 1_000, onScene: 1 * MIN }, 'XC-HT-003'), // next day
    ];
    const r = buildReport(rows, { period: 'day', byTerminal: false, targetMs: 6 * MIN });
    expect(r).toHaveLength(2);
    const [mon, tue] = r;
    expect(mon!.calls).toBe(4);
    expect(mon!.pressToAnswer).toEqual({ n: 3, p50Ms: 10_000, p90Ms: 18_000 });
    expect(mon!.answerToDispatch).toEqual({ n: 2, p50Ms: 45_000, p90Ms: 57_000 });
    expect(mon!.dispatchToOnScene.p50Ms).toBe(6 * MIN);
    // press → on scene: 10 s + 30 s + 4 min = 280 s; 20 s + 60 s + 8 min = 560 s
    expect(mon!.pressToOnScene).toEqual({ n: 2, p50Ms: 420_000, p90Ms: 532_000 });
    expect(mon!.withinTarget).toBe(1);
    expect(tue!.calls).toBe(1);
    expect(tue!.periodStart - mon!.periodStart).toBeGreaterThanOrEqual(23 * 60 * MIN);
  });

  it('groups by week (from Monday) and month, and by terminal when asked', () => {
    const rows = [call(0, { answer: 1 }), call(2 * 24 * 60, { answer: 2 }, 'XC-HT-003'), call(8 * 24 * 60, { answer: 3 })];
    expect(buildReport(rows, { period: 'week', byTerminal: false, targetMs: MIN }).map((x) => x.calls)).toEqual([2, 1]);
    expect(buildReport(rows, { period: 'week', byTerminal: true, targetMs: MIN }).map((x) => [x.terminalId, x.calls])).toEqual([['XC-HT-003', 1], ['XC-SCH-001', 1], ['XC-SCH-001', 1]]);
    expect(new Date(periodStart(day + 3 * 24 * 60 * MIN, 'week')).getDay()).toBe(1);
    expect(new Date(periodStart(day, 'month')).getDate()).toBe(1);
  });

  it('exports CSV in seconds with a BOM and bilingual headers', () => {
    const r = buildReport([call(0, { answer: 10_000, dispatch: 30_000, onScene: 4 * MIN })], { period: 'day', byTerminal: true, targetMs: 6 * MIN });
    const csv = reportCsv(r, 6 * MIN);
    expect(csv.startsWith('\uFEFF周期 period,')).toBe(true);
    const lines = csv.trim().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]!.split(',')).toEqual(['2026-11-30', 'XC-SCH-001', '1', '10.0', '10.0', '30.0', '30.0', '240.0', '240.0', '280.0', '280.0', '1']);
  });
});
