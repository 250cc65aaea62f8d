import type { FastifyInstance } from 'fastify';
import type Database from 'better-sqlite3';
import Type from 'typebox';
import { AppError, ErrorCode } from '@helppoint/shared';
import type { CallService } from '../calls/CallService.ts';
import type { HealthRepo } from '../db/HealthRepo.ts';
import type { SessionRepo } from '../db/SessionRepo.ts';
import type { TerminalRepo } from '../db/TerminalRepo.ts';
import type { FleetService } from '../fleet/FleetService.ts';
import type { RelayMetrics } from '../metrics/RelayMetrics.ts';
import type { WorkerPool } from '../sfu/WorkerPool.ts';
import { requireUser } from './authRoutes.ts';

export interface FleetRouteDeps {
  sessions: SessionRepo;
  terminals: TerminalRepo;
  calls: CallService;
  fleet: FleetService;
  health: HealthRepo;
  metrics: RelayMetrics;
  pool: WorkerPool;
  db: Database.Database;
  consoles: () => number;
}

const HistoryParams = Type.Object({ id: Type.String({ pattern: '^[A-Z0-9][A-Z0-9-]{1,31}$' }) });
const HistoryQuery = Type.Object(
  { hours: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 30 })) },
  { additionalProperties: false },
);

/** The fleet page's data, Prometheus metrics and the relay's own health check. */
export function registerFleetRoutes(app: FastifyInstance, deps: FleetRouteDeps): void {
  app.get('/api/fleet', async (req) => {
    requireUser(deps.sessions, req);
    return {
      terminals: deps.terminals.list().map((t) => deps.calls.terminalView(t)),
      entries: deps.fleet.entries(),
      serverTime: Date.now(),
    };
  });

  app.get('/api/fleet/:id/history', { schema: { params: HistoryParams, querystring: HistoryQuery } }, async (req) => {
    requireUser(deps.sessions, req);
    const { id } = req.params as { id: string };
    const hours = (req.query as { hours?: number }).hours ?? 24;
    const terminal = deps.terminals.get(id);
    if (!terminal) throw new AppError(ErrorCode.UnknownTerminal, `no terminal ${id}`);
    const since = Date.now() - hours * 3_600_000;
    return { terminal: deps.calls.terminalView(terminal), entry: deps.fleet.entry(id), since, points: deps.health.history(id, since) };
  });

  // Unauthenticated like /healthz: scraped by Prometheus on the station network.
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8');
    return deps.metrics.render();
  });

  const touch = deps.db.prepare('INSERT INTO relay_liveness (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at');
  app.get('/healthz', async (req, reply) => {
    let dbOk = true;
    try {
      touch.run(Date.now()); // a real write: a full disk or a read-only file fails here
    } catch (err) {
      dbOk = false;
      req.log.error({ err }, 'healthz: database not writable');
    }
    const alive = deps.pool.slots.filter((s) => !s.worker.closed).length;
    const ok = dbOk && alive > 0 && alive === deps.pool.slots.length;
    reply.status(ok ? 200 : 503);
    return {
      ok,
      db: dbOk ? 'writable' : 'failed',
      workers: deps.pool.slots.length,
      workersAlive: alive,
      terminalsOnline: deps.fleet.entries().filter((e) => e.online).length,
      consoles: deps.consoles(),
      openCalls: deps.calls.openCalls().length,
    };
  });
}
