import type { DurationStats, ReportRow } from '@helppoint/shared';
import type { ResponseTimeRow } from '../db/DispatchRepo.ts';

export type Period = 'day' | 'week' | 'month';

/**
 * Percentile by linear interpolation between the closest ranks (the common
 * "type 7" definition: p50 of [1, 2, 3, 4] is 2.5). Null for no values.
 */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (!sorted.length) return null;
  const pos = (sorted.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function stats(values: readonly number[]): DurationStats {
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, p50Ms: percentile(sorted, 0.5), p90Ms: percentile(sorted, 0.9) };
}

/** Start of the day / week (Monday) / month holding `at`, in the relay's local time zone (the station's). */
export function periodStart(at: number, period: Period): number {
  const d = new Date(at);
  d.setHours(0, 0, 0, 0);
  if (period === 'week') d.setDate(d.getDate() - ((d.getDay() + 6) % 7));
  if (period === 'month') d.setDate(1);
  return d.getTime();
}

function label(at: number): string {
  const d = new Date(at);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

const span = (a: number | null, b: number | null): number | null => (a !== null && b !== null && b >= a ? b - a : null);

/** Groups calls by period (and terminal) and measures each leg of the response. */
export function buildReport(rows: readonly ResponseTimeRow[], opts: { period: Period; byTerminal: boolean; targetMs: number }): ReportRow[] {
  const groups = new Map<string, { start: number; terminalId: string | null; rows: ResponseTimeRow[] }>();
  for (const r of rows) {
    const start = periodStart(r.pressedAt, opts.period);
    const terminalId = opts.byTerminal ? r.terminalId : null;
    const key = `${start}|${terminalId ?? ''}`;
    const g = groups.get(key) ?? { start, terminalId, rows: [] };
    g.rows.push(r);
    groups.set(key, g);
  }
  const legs = (g: ResponseTimeRow[], f: (r: ResponseTimeRow) => number | null) => g.map(f).filter((v): v is number => v !== null);
  return [...groups.values()]
    .sort((a, b) => a.start - b.start || (a.terminalId ?? '').localeCompare(b.terminalId ?? ''))
    .map((g) => {
      const pressToOnScene = legs(g.rows, (r) => span(r.pressedAt, r.firstOnSceneAt));
      return {
        periodStart: g.start,
        periodLabel: label(g.start),
        terminalId: g.terminalId,
        calls: g.rows.length,
        pressToAnswer: stats(legs(g.rows, (r) => span(r.pressedAt, r.answeredAt))),
        answerToDispatch: stats(legs(g.rows, (r) => span(r.answeredAt, r.firstDispatchAt))),
        dispatchToOnScene: stats(legs(g.rows, (r) => span(r.firstDispatchAt, r.firstOnSceneAt))),
        pressToOnScene: stats(pressToOnScene),
        withinTarget: pressToOnScene.filter((ms) => ms <= opts.targetMs).length,
      };
    });
}

const sec = (ms: number | null): string => (ms === null ? '' : (ms / 1000).toFixed(1));

/** CSV for the station's 接诉即办 reporting: seconds, one row per period (and terminal); UTF-8 with BOM so spreadsheet programs read the Chinese headers. */
export function reportCsv(rows: readonly ReportRow[], targetMs: number): string {
  const head = [
    '周期 period', '终端 terminal', '呼叫数 calls',
    '求助→接听 p50 s', '求助→接听 p90 s', '接听→派警 p50 s', '接听→派警 p90 s',
    '派警→到场 p50 s', '派警→到场 p90 s', '求助→到场 p50 s', '求助→到场 p90 s',
    `到场达标数 within ${Math.round(targetMs / 60000)} min`,
  ];
  const lines = rows.map((r) =>
    [
      r.periodLabel, r.terminalId ?? '全部 all', String(r.calls),
      sec(r.pressToAnswer.p50Ms), sec(r.pressToAnswer.p90Ms), sec(r.answerToDispatch.p50Ms), sec(r.answerToDispatch.p90Ms),
      sec(r.dispatchToOnScene.p50Ms), sec(r.dispatchToOnScene.p90Ms), sec(r.pressToOnScene.p50Ms), sec(r.pressToOnScene.p90Ms),
      String(r.withinTarget),
    ].map(csvCell).join(','),
  );
  return `\uFEFF${[head.map(csvCell).join(','), ...lines].join('\r\n')}\r\n`;
}

function csvCell(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}
