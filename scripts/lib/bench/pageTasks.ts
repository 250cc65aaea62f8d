import type { Page } from 'playwright-core';

/**
 * The console page's main thread, task by task, between two relay messages
 * (profile-console-ring --tasks). A message waits in the page while earlier
 * tasks run — the ring's drawing, timers, a frame's style and layout — and
 * Chrome's totals by kind do not show which ones came before it. The page
 * marks each relay message it receives and each request it sends with
 * performance.mark, so the marks land in Chrome's trace on the same clock as
 * the tasks.
 */

export interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: Record<string, unknown>;
}

/** Trace categories for the tasks and the page's marks. */
export const TASK_CATEGORIES = 'devtools.timeline,disabled-by-default-devtools.timeline,blink,blink.user_timing,cc,toplevel,v8.execute';

/**
 * Marks `ws<type` (a ringing call.updated is `ws<call.updated:ringing`) and
 * `ws>type` for every frame the page's sockets receive and send. Install
 * before the page loads.
 */
export async function markSocketMessages(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const typeOf = (data: string) => /"type":"([^"]+)"/.exec(data)?.[1] ?? '?';
    const Native = window.WebSocket;
    const Marked = function (this: unknown, ...a: ConstructorParameters<typeof WebSocket>) {
      const ws = new Native(...a);
      ws.addEventListener('message', (e: MessageEvent) => {
        if (typeof e.data !== 'string') return;
        performance.mark(`ws<${typeOf(e.data)}${e.data.includes('"state":"ringing"') ? ':ringing' : ''}`);
      });
      const send = ws.send.bind(ws);
      ws.send = (data: Parameters<WebSocket['send']>[0]) => {
        if (typeof data === 'string') performance.mark(`ws>${typeOf(data)}`);
        send(data);
      };
      return ws;
    } as unknown as typeof WebSocket;
    Marked.prototype = Native.prototype;
    Object.setPrototypeOf(Marked, Native);
    window.WebSocket = Marked;
  });
}

export interface PressTasks {
  /** ms from the ring message to the offer message being handled, and from the offer to the first resume sent. */
  offerAfterRingMs: number;
  resumeAfterOfferMs: number | null;
  lines: string[];
}

/**
 * One press's main-thread tasks (≥ 0.5 ms) from the ring message to the first
 * resume the page sent, each with its longest inner events; null when the
 * trace lacks the marks.
 */
export function pressTasks(events: TraceEvent[]): PressTasks | null {
  const marks = events.filter((e) => e.name.startsWith('ws<') || e.name.startsWith('ws>'));
  const ring = marks.find((m) => m.name === 'ws<call.updated:ringing');
  const offer = marks.find((m) => m.name === 'ws<rtc.consumersOffered');
  if (!ring || !offer) return null;
  const resume = marks.find((m) => m.name === 'ws>rtc.resumeConsumer' && m.ts >= offer.ts);
  const ms = (ts: number) => ((ts - ring.ts) / 1000).toFixed(1).padStart(6);
  const lines: string[] = [];
  const from = ring.ts - 1000;
  const to = (resume?.ts ?? offer.ts) + 1000;
  for (const m of marks) if (m.ts >= from && m.ts <= to) lines.push(`  ${ms(m.ts)} ms  mark ${m.name}`);
  // The marks are made on the page's main thread: its tasks are the ones on the same thread.
  const main = events
    .filter((e) => e.pid === ring.pid && e.tid === ring.tid && e.ph === 'X' && e.dur !== undefined && e.ts + e.dur >= from && e.ts <= to)
    .sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  let end = -1;
  for (const task of main) {
    if (task.ts < end) continue;
    end = task.ts + task.dur!;
    if (task.dur! < 500) continue;
    const inner = main
      .filter((e) => e !== task && e.ts >= task.ts && e.ts + e.dur! <= end && e.dur! >= 300 && !/^(ThreadControllerImpl::RunTask|RunTask)$/.test(e.name))
      .sort((a, b) => b.dur! - a.dur!)
      .slice(0, 4)
      .map((e) => `${e.name} ${(e.dur! / 1000).toFixed(1)}`);
    lines.push(`  ${ms(task.ts)} ms  task ${(task.dur! / 1000).toFixed(1).padStart(5)} ms  ${inner.join(' · ')}`);
  }
  lines.sort((a, b) => parseFloat(a) - parseFloat(b));
  return { offerAfterRingMs: (offer.ts - ring.ts) / 1000, resumeAfterOfferMs: resume ? (resume.ts - offer.ts) / 1000 : null, lines };
}
