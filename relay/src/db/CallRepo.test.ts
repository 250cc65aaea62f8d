import { Worker } from 'node:worker_threads';
import type { Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallRepo, actorOf } from './CallRepo.ts';
import { TerminalRepo } from './TerminalRepo.ts';
import { UserRepo } from './UserRepo.ts';
import { fakeClock, makeTempDb, sampleTerminal } from './testSupport.ts';
import type { TempDb } from './testSupport.ts';

const T1 = 'XC-HT-003';
const T2 = 'XC-SCH-001';

function count(db: Database, table: 'calls' | 'call_events'): number {
  return db.prepare<[], number>(`SELECT count(*) FROM ${table}`).pluck().get() ?? -1;
}

interface RaceResult {
  callId: string;
  ok: boolean;
  answeredBy: number | null;
  state: string;
}

function startRacer(workerData: { file: string; callIds: string[]; userId: number; barrier: SharedArrayBuffer }) {
  const worker = new Worker(new URL('./answerRace.worker.ts', import.meta.url), { workerData });
  const failed = new Promise<never>((_, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`race worker exited with ${code} before reporting`)));
  });
  failed.catch(() => {}); // observed through ready/results below
  const message = <T>(type: string) =>
    Promise.race([
      new Promise<T>((resolve) => {
        worker.on('message', (m: { type: string; results?: T }) => {
          if (m.type === type) resolve(m.results as T);
        });
      }),
      failed,
    ]);
  return { worker, ready: message<void>('ready'), results: message<RaceResult[]>('results') };
}

describe('CallRepo', () => {
  let tmp: TempDb;
  let db: Database;
  let calls: CallRepo;
  let officerA: number;
  let officerB: number;
  const clock = fakeClock();

  beforeEach(async () => {
    clock.set(1_750_000_000_000);
    tmp = makeTempDb();
    db = tmp.open();
    calls = new CallRepo({ db, now: clock.now });
    const terminals = new TerminalRepo({ db });
    terminals.upsert(sampleTerminal(T1));
    terminals.upsert(sampleTerminal(T2, { kind: 'school' }));
    const users = new UserRepo({ db });
    officerA = (await users.create({ username: 'officer1', displayName: '值班民警 王磊', role: 'officer', password: 'pw-a' })).id;
    officerB = (await users.create({ username: 'officer2', displayName: '值班民警 李娜', role: 'officer', password: 'pw-b' })).id;
  });
  afterEach(() => tmp.cleanup());

  it('createOrGet is idempotent by requestId', () => {
    const t0 = clock.now();
    const first = calls.createOrGet({ requestId: 'req-0001', terminalId: T1, at: t0 });
    expect(first.created).toBe(true);
    expect(first.call).toMatchObject({
      requestId: 'req-0001', terminalId: T1, state: 'ringing', createdAt: t0, rangAt: t0,
      answeredAt: null, answeredBy: null, endedAt: null, endReason: null, endedBy: null,
    });

    const retry = calls.createOrGet({ requestId: 'req-0001', terminalId: T1, at: t0 + 3000 });
    expect(retry.created).toBe(false);
    expect(retry.call).toEqual(first.call);
    expect(count(db, 'calls')).toBe(1);
    expect(calls.events(first.call.id).map((e) => [e.type, e.actor])).toEqual([
      ['pressed', actorOf.terminal(T1)],
      ['rang', 'relay'],
    ]);
    expect(calls.getByRequestId('req-0001')).toEqual(first.call);
  });

  it('refuses a requestId that belongs to another terminal', () => {
    calls.createOrGet({ requestId: 'req-0001', terminalId: T1, at: clock.now() });
    expect(() => calls.createOrGet({ requestId: 'req-0001', terminalId: T2, at: clock.now() })).toThrow(
      expect.objectContaining({ code: 'request_id_conflict' }),
    );
    expect(calls.listRecent({ limit: 10, terminalId: T2 })).toEqual([]);
  });

  it('a call for an unknown terminal throws unknown_terminal and writes nothing', () => {
    expect(() => calls.createOrGet({ requestId: 'req-0002', terminalId: 'XC-HT-404', at: clock.now() })).toThrow(
      expect.objectContaining({ code: 'unknown_terminal' }),
    );
    expect(count(db, 'calls')).toBe(0);
    expect(count(db, 'call_events')).toBe(0);
    // and the foreign key guards events too
    expect(() => calls.addEvent('no-such-call', 'media', null, { kind: 'video' })).toThrow(/FOREIGN KEY/);
    expect(count(db, 'call_events')).toBe(0);
  });

  it('first answer wins; the loser is told who won', () => {
    const { call } = calls.createOrGet({ requestId: 'req-0003', terminalId: T1, at: clock.now() });
    clock.advance(2000);
    const a = calls.answer({ callId: call.id, userId: officerA, at: clock.now() });
    const b = calls.answer({ callId: call.id, userId: officerB, at: clock.now() + 1 });
    expect(a.ok).toBe(true);
    expect(a.call).toMatchObject({ state: 'answered', answeredBy: officerA, answeredAt: clock.now() });
    expect(b.ok).toBe(false);
    expect(b.call).toMatchObject({ state: 'answered', answeredBy: officerA });
    expect(calls.events(call.id).filter((e) => e.type === 'answered')).toHaveLength(1);
  });

  it('answer race across separate connections (worker threads): exactly one winner per call', async () => {
    const callIds = Array.from({ length: 25 }, (_, i) =>
      calls.createOrGet({ requestId: `race-${String(i).padStart(4, '0')}`, terminalId: T1, at: clock.now() }).call.id,
    );
    const users = new UserRepo({ db });
    const racers = [officerA, officerB];
    for (const name of ['officer3', 'officer4']) {
      racers.push((await users.create({ username: name, displayName: name, role: 'officer', password: 'x' })).id);
    }

    const barrier = new SharedArrayBuffer(4);
    const racing = racers.map((userId) => startRacer({ file: tmp.file, callIds, userId, barrier }));
    let perWorker: RaceResult[][];
    try {
      await Promise.all(racing.map((r) => r.ready));
      const flag = new Int32Array(barrier);
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      perWorker = await Promise.all(racing.map((r) => r.results));
    } finally {
      await Promise.all(racing.map((r) => r.worker.terminate()));
    }

    for (const callId of callIds) {
      const attempts = perWorker.map((rs) => rs.find((r) => r.callId === callId));
      const winners = attempts.filter((r) => r?.ok);
      expect(winners).toHaveLength(1);
      const stored = calls.get(callId);
      expect(stored?.state).toBe('answered');
      const winnerId = stored?.answeredBy;
      expect(racers).toContain(winnerId);
      // every attempt, won or lost, reports the same winner
      for (const r of attempts) expect(r?.answeredBy).toBe(winnerId);
      expect(calls.events(callId).filter((e) => e.type === 'answered')).toEqual([
        expect.objectContaining({ actor: actorOf.user(winnerId ?? -1) }),
      ]);
    }
  }, 30_000);

  it('answering a call that already ended fails and shows it ended', () => {
    const { call } = calls.createOrGet({ requestId: 'req-0004', terminalId: T1, at: clock.now() });
    expect(calls.end({ callId: call.id, reason: 'cancelled', endedBy: 'terminal', at: clock.now() + 10 })).toBe(true);
    const r = calls.answer({ callId: call.id, userId: officerA, at: clock.now() + 20 });
    expect(r.ok).toBe(false);
    expect(r.call).toMatchObject({ state: 'ended', answeredBy: null, endReason: 'cancelled' });
  });

  it('end is idempotent, keeps the first reason, and the event log is in time order', () => {
    const t0 = clock.now();
    const { call } = calls.createOrGet({ requestId: 'req-0005', terminalId: T1, at: t0 });
    calls.addEvent(call.id, 'media', actorOf.terminal(T1), { kind: 'video', producerId: 'p1' }, t0 + 400);
    calls.answer({ callId: call.id, userId: officerA, at: t0 + 5_000 });
    const first = calls.end({ callId: call.id, reason: 'officer_hangup', endedBy: 'officer', at: t0 + 60_000, actor: actorOf.user(officerA) });
    const again = calls.end({ callId: call.id, reason: 'terminal_lost', endedBy: 'relay', at: t0 + 61_000 });
    expect(first).toBe(true);
    expect(again).toBe(false);
    expect(calls.get(call.id)).toMatchObject({
      state: 'ended', endedAt: t0 + 60_000, endReason: 'officer_hangup', endedBy: 'officer', answeredBy: officerA,
    });

    const events = calls.events(call.id);
    expect(events.map((e) => e.type)).toEqual(['pressed', 'rang', 'media', 'answered', 'ended']);
    expect(events.map((e) => e.at)).toEqual([t0, t0, t0 + 400, t0 + 5_000, t0 + 60_000]);
    for (let i = 1; i < events.length; i++) expect(events[i]!.at).toBeGreaterThanOrEqual(events[i - 1]!.at);
    expect(events[2]?.detail).toEqual({ kind: 'video', producerId: 'p1' });
    expect(events[4]).toMatchObject({ actor: actorOf.user(officerA), detail: { reason: 'officer_hangup', endedBy: 'officer' } });
  });

  it('end and answer of an unknown call throw call_not_found', () => {
    expect(() => calls.end({ callId: 'nope', reason: 'cancelled', endedBy: 'terminal', at: 1 })).toThrow(
      expect.objectContaining({ code: 'call_not_found' }),
    );
    expect(() => calls.answer({ callId: 'nope', userId: officerA, at: 1 })).toThrow(
      expect.objectContaining({ code: 'call_not_found' }),
    );
  });

  it('endAllOpen closes calls a crash left open, with a reason, and only those', () => {
    const t0 = clock.now();
    const ringing = calls.createOrGet({ requestId: 'req-0010', terminalId: T1, at: t0 }).call;
    const answered = calls.createOrGet({ requestId: 'req-0011', terminalId: T2, at: t0 + 1 }).call;
    calls.answer({ callId: answered.id, userId: officerB, at: t0 + 2 });
    const done = calls.createOrGet({ requestId: 'req-0012', terminalId: T1, at: t0 + 3 }).call;
    calls.end({ callId: done.id, reason: 'officer_hangup', endedBy: 'officer', at: t0 + 4 });
    expect(calls.listOpen().map((c) => c.id)).toEqual([ringing.id, answered.id]);

    // the relay restarts: a new connection, as a new process would have
    const restarted = new CallRepo({ db: tmp.open() });
    const closed = restarted.endAllOpen({ reason: 'relay_restart', at: t0 + 100 });
    expect(closed.sort()).toEqual([ringing.id, answered.id].sort());
    expect(calls.listOpen()).toEqual([]);
    for (const id of closed) {
      expect(calls.get(id)).toMatchObject({ state: 'ended', endReason: 'relay_restart', endedBy: 'relay', endedAt: t0 + 100 });
      expect(calls.events(id).at(-1)).toMatchObject({ type: 'ended', actor: 'relay', at: t0 + 100 });
    }
    expect(calls.get(done.id)).toMatchObject({ endReason: 'officer_hangup', endedAt: t0 + 4 });
    expect(restarted.endAllOpen({ reason: 'relay_restart', at: t0 + 200 })).toEqual([]);
  });

  it('listRecent returns newest first, limited, optionally per terminal', () => {
    const t0 = clock.now();
    for (let i = 0; i < 6; i++) {
      calls.createOrGet({ requestId: `req-recent-${i}`, terminalId: i % 2 ? T2 : T1, at: t0 + i * 1000 });
    }
    expect(calls.listRecent({ limit: 3 }).map((c) => c.requestId)).toEqual(['req-recent-5', 'req-recent-4', 'req-recent-3']);
    expect(calls.listRecent({ limit: 10, terminalId: T1 }).map((c) => c.requestId)).toEqual([
      'req-recent-4', 'req-recent-2', 'req-recent-0',
    ]);
  });
});
