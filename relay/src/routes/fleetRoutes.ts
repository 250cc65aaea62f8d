import type { FastifyInstance } from 'fastify';
import type Database from 'better-sqlite3';
import Type from 'typebox';
import { AppError, ErrorCode, FleetHistoryResponse, FleetResponse, RelayHealthResponse } from '@helppoint/shared';
import type { CallService } from '../calls/CallService.ts';
import type { HealthRepo } from '../db/HealthRepo.ts';
import type { SessionRepo } from '../db/SessionRepo.ts';
import type { TerminalRepo } from '../db/TerminalRepo.ts';
import type { FleetService } from '../fleet/FleetService.ts';
import type { RelayMetrics } from '../metrics/RelayMetrics.ts';
import type { WorkerPool } from '../sfu/WorkerPool.ts';
import { requireUser } from './authRoutes.ts';
import { isTrustedScraper } from '../security/scraperAccess.ts';
import type { DiskGuard } from '../security/DiskGuard.ts';

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
  /** /metrics and the detailed /healthz need this bearer token (empty: loopback only). */
  metricsToken: string;
  disk: DiskGuard;
}

const HistoryParams = Type.Object({ id: Type.String({ pattern: '^[A-Z0-9][A-Z0-9-]{1,31}$' }) });
const HistoryQuery = Type.Object(
  { hours: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 30 })) },
  { additionalProperties: false },
);

/** The fleet page's data, Prometheus metrics and the relay's own health check. */
export function registerFleetRoutes(app: FastifyInstance, deps: FleetRouteDeps): void {
  app.get('/api/fleet', { schema: { response: { 200: FleetResponse } } }, async (req): Promise<FleetResponse> => {
    requireUser(deps.sessions, req);
    return {
      terminals: deps.terminals.list().map((t) => deps.calls.terminalView(t)),
      entries: deps.fleet.entries(),
      serverTime: Date.now(),
    };
  });

  app.get('/api/fleet/:id/history', { schema: { params: HistoryParams, querystring: HistoryQuery, response: { 200: FleetHistoryResponse } } }, async (req): Promise<FleetHistoryResponse> => {
    requireUser(deps.sessions, req);
    const { id } = req.params as { id: string };
    const hours = (req.query as { hours?: number }).hours ?? 24;
    const terminal = deps.terminals.get(id);
    if (!terminal) throw new AppError(ErrorCode.UnknownTerminal, `no terminal ${id}`);
    const since = Date.now() - hours * 3_600_000;
    return { terminal: deps.calls.terminalView(terminal), entry: deps.fleet.entry(id), since, points: deps.health.history(id, since) };
  });

  // Not for the station network at large: how many consoles are open says whether the desk is staffed.
  app.get('/metrics', async (req, reply) => {
    if (!isTrustedScraper(req, deps.metricsToken)) throw new AppError(ErrorCode.Forbidden, 'metrics need the scrape token (or a request from the relay host)');
    reply.header('content-type', deps.metrics.contentType);
    return deps.metrics.render();
  });

  // /healthz is read-only: the database's writability is probed by a timer, not by every request
  // (an anonymous caller must not be able to make the relay write).
  const touch = deps.db.prepare('INSERT INTO relay_liveness (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at');
  let dbOk = true;
  const probe = () => {
    try {
      touch.run(Date.now()); // a real write: a full disk or a read-only file fails here
      if (!dbOk) app.log.warn('database writable again');
      dbOk = true;
    } catch (err) {
      if (dbOk) app.log.error({ err }, 'health probe: database not writable');
      dbOk = false;
    }
  };
  probe();
  const probeTimer = setInterval(probe, 15_000);
  probeTimer.unref?.();
  app.addHook('onClose', async () => clearInterval(probeTimer));
  // The same body with 200 and 503, so a load balancer and a person read one shape.
  app.get('/healthz', { schema: { response: { 200: RelayHealthResponse, 503: RelayHealthResponse } } }, async (req, reply): Promise<RelayHealthResponse> => {
    const alive = deps.pool.slots.filter((s) => !s.worker.closed).length;
    const ok = dbOk && alive > 0 && alive === deps.pool.slots.length;
    reply.status(ok ? 200 : 503);
    const base: RelayHealthResponse = { ok, db: dbOk ? 'writable' : 'failed', workers: deps.pool.slots.length, workersAlive: alive, diskLow: deps.disk.low };
    if (!isTrustedScraper(req, deps.metricsToken)) return base;
    return {
      ...base,
      terminalsOnline: deps.fleet.entries().filter((e) => e.online).length,
      consoles: deps.consoles(),
      openCalls: deps.calls.openCalls().length,
    };
  });
}
