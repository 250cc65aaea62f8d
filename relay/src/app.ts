import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { WebSocketServer } from 'ws';
import type { Logger } from 'pino';
import type Database from 'better-sqlite3';
import { AppError, ErrorCode } from '@helppoint/shared';
import type { RelayConfig } from './config.ts';
import { openDatabase } from './db/openDatabase.ts';
import { CallRepo } from './db/CallRepo.ts';
import { SessionRepo } from './db/SessionRepo.ts';
import { TerminalRepo } from './db/TerminalRepo.ts';
import { UserRepo } from './db/UserRepo.ts';
import { seedDemo } from './db/demoData.ts';
import { DbBackups } from './db/DbBackups.ts';
import { CallMediaRepo } from './db/CallMediaRepo.ts';
import { DispositionRepo } from './db/DispositionRepo.ts';
import { CallRecordings } from './calls/CallRecordings.ts';
import { EvidenceRetention } from './calls/EvidenceRetention.ts';
import { registerHistoryRoutes } from './routes/historyRoutes.ts';
import { registerMissedCallRoutes } from './routes/missedCallRoutes.ts';
import { MissedCallRepo } from './db/MissedCallRepo.ts';
import { CallService } from './calls/CallService.ts';
import { TerminalPresence } from './presence/TerminalPresence.ts';
import { WorkerPool } from './sfu/WorkerPool.ts';
import { TerminalGateway } from './gateway/TerminalGateway.ts';
import { ConsoleGateway } from './gateway/ConsoleGateway.ts';
import { registerAuthRoutes, userFromCookie } from './routes/authRoutes.ts';
import { registerApiRoutes } from './routes/apiRoutes.ts';
import { AuditRepo } from './db/AuditRepo.ts';
import { EnrolmentCodeRepo } from './db/EnrolmentCodeRepo.ts';
import { TerminalKeyRepo } from './db/TerminalKeyRepo.ts';
import { EnrolmentService } from './trust/EnrolmentService.ts';
import { LoginGuard } from './trust/LoginGuard.ts';
import { registerEnrolmentRoutes } from './routes/enrolmentRoutes.ts';
import { registerTerminalAdminRoutes } from './routes/terminalAdminRoutes.ts';
import { registerUserRoutes } from './routes/userRoutes.ts';
import { registerAuditRoutes } from './routes/auditRoutes.ts';
import { HealthRepo } from './db/HealthRepo.ts';
import { FleetService } from './fleet/FleetService.ts';
import { Federation } from './district/Federation.ts';
import { RelayMetrics } from './metrics/RelayMetrics.ts';
import { registerFleetRoutes } from './routes/fleetRoutes.ts';

/** Frames above MAX_FRAME_BYTES get a frame_too_large reply; above this ws closes with 1009. */
const WS_HARD_LIMIT_BYTES = 1024 * 1024;

/**
 * The relay: one process per station. Everything is built here explicitly,
 * with no module singletons, so a test can run two relays side by side.
 */
export class Relay {
  readonly app: FastifyInstance;
  readonly db: Database.Database;
  readonly pool: WorkerPool;
  readonly calls: CallService;
  readonly presence: TerminalPresence;
  readonly repos: { terminals: TerminalRepo; calls: CallRepo; users: UserRepo; sessions: SessionRepo; dispositions: DispositionRepo; media: CallMediaRepo };
  readonly trust: { keys: TerminalKeyRepo; codes: EnrolmentCodeRepo; audit: AuditRepo; enrolment: EnrolmentService };
  /** null when recording is switched off. */
  readonly recordings: CallRecordings | null;
  readonly mediaDir: string;
  readonly #retention: EvidenceRetention;
  readonly fleet: FleetService;
  readonly #gateways: { terminal: TerminalGateway; console: ConsoleGateway };
  readonly #tls: boolean;
  readonly #wss: WebSocketServer;
  readonly #log: Logger;
  /** Scheduled online backups, when HELPPOINT_BACKUP_DIR is set. */
  readonly backups: DbBackups | null;
  /** District federation (issue 14): the station bridge and/or the district role; inert when not configured. */
  readonly federation: Federation;
  #closed = false;

  private constructor(parts: {
    app: FastifyInstance;
    db: Database.Database;
    pool: WorkerPool;
    calls: CallService;
    presence: TerminalPresence;
    fleet: FleetService;
    repos: Relay['repos'];
    trust: Relay['trust'];
    tls: boolean;
    gateways: { terminal: TerminalGateway; console: ConsoleGateway };
    wss: WebSocketServer;
    log: Logger;
    backups: DbBackups | null;
    recordings: CallRecordings | null;
    retention: EvidenceRetention;
    mediaDir: string;
    federation: Federation;
  }) {
    this.federation = parts.federation;
    this.backups = parts.backups;
    this.recordings = parts.recordings;
    this.#retention = parts.retention;
    this.mediaDir = parts.mediaDir;
    this.app = parts.app;
    this.db = parts.db;
    this.pool = parts.pool;
    this.calls = parts.calls;
    this.presence = parts.presence;
    this.fleet = parts.fleet;
    this.repos = parts.repos;
    this.trust = parts.trust;
    this.#tls = parts.tls;
    this.#gateways = parts.gateways;
    this.#wss = parts.wss;
    this.#log = parts.log;
  }

  static async create(config: RelayConfig, logger: Logger): Promise<Relay> {
    const log = logger.child({ component: 'relay' });
    const db = openDatabase(config.dbPath);
    if (config.demo) await seedDemo(db);
    const repos = {
      terminals: new TerminalRepo({ db }),
      calls: new CallRepo({ db }),
      users: new UserRepo({ db }),
      sessions: new SessionRepo({ db }),
      dispositions: new DispositionRepo({ db }),
      media: new CallMediaRepo({ db }),
    };
    const mediaDir = config.mediaDir || path.join(path.dirname(config.dbPath), 'media');
    let pool: WorkerPool;
    try {
      pool = await WorkerPool.create({
        numWorkers: config.numWorkers,
        listenIp: config.rtcListenIp,
        announcedAddress: config.rtcAnnouncedAddress,
        basePort: config.rtcBasePort,
        logger,
      });
    } catch (error) {
      db.close();
      throw error;
    }
    const presence = new TerminalPresence();
    const calls = new CallService({
      calls: repos.calls,
      terminals: repos.terminals,
      users: repos.users,
      presence,
      logger,
      ringTimeoutMs: config.ringTimeoutMs,
      escalateAfterMs: config.escalateAfterMs,
      maxCallMs: config.maxCallMs,
    });
    // District federation reads these: the district must hear that they ended.
    const staleCallIds = calls.closeStaleCalls();
    pool.on('workerReplaced', (slot) => calls.endCallsOnSlot(slot));
    const recordings = config.recordCalls ? new CallRecordings({ calls, media: repos.media, mediaDir, logger }) : null;
    const retention = new EvidenceRetention({ media: repos.media, mediaDir, retentionDays: config.retentionDays, logger });
    retention.sweep();

    const audit = new AuditRepo({ db });
    const keys = new TerminalKeyRepo({ db });
    const codes = new EnrolmentCodeRepo({ db });
    const enrolment = new EnrolmentService({ db, terminals: repos.terminals, keys, codes, audit, logger });
    const trust = { keys, codes, audit, enrolment };
    const guard = new LoginGuard(config.loginLimits);
    const tls = config.tls ? { key: fs.readFileSync(config.tls.keyFile), cert: fs.readFileSync(config.tls.certFile) } : null;
    const secureCookies = tls !== null;
    const health = new HealthRepo({ db });
    const fleet = new FleetService({ health, terminals: repos.terminals, presence, logger, heartbeatIntervalMs: config.heartbeatIntervalMs });
    // --- district federation (issue 14): hook 1 of 4, build ---
    const federation = new Federation({
      station: config.federation.station,
      staleCallIds,
      district: config.federation.district,
      deps: { db, calls, terminals: repos.terminals, presence, fleet, users: repos.users, sessions: repos.sessions, audit, logger, selfUrl: () => urlOf(app, secureCookies) },
    });
    const metrics = new RelayMetrics({ calls, fleet, presence, terminals: repos.terminals, pool, logger });

    const httpLog: FastifyBaseLogger = logger.child({ component: 'http' });
    const app = Fastify({
      loggerInstance: httpLog,
      bodyLimit: 64 * 1024,
      // Requests are not logged one by one: the relay logs what happened (calls, refusals), not every GET.
      logController: new LogController({ disableRequestLogging: true }),
      // Unknown fields are refused (bad_request), not silently dropped: a client sending `id` or `admin` must learn it was ignored.
      ajv: { customOptions: { removeAdditional: false } },
      ...(tls ? { https: tls } : {}),
      // Errors the router raises before any handler (a bad %-escape, an over-long path
      // parameter) get the same { error: { code } } body as everything else.
      frameworkErrors: (error, _req, reply) => {
        const r = reply as unknown as { status(code: number): { send(body: unknown): unknown } };
        r.status(error.statusCode ?? 400).send({ error: { code: ErrorCode.BadRequest, message: error.message } });
      },
    }) as unknown as FastifyInstance;
    installErrorHandling(app);
    registerAuthRoutes(app, { users: repos.users, sessions: repos.sessions, secureCookies, guard, audit });
    registerApiRoutes(app, { sessions: repos.sessions, terminals: repos.terminals, callRepo: repos.calls, calls });
    registerHistoryRoutes(app, { ...repos, callRepo: repos.calls, audit, mediaDir, mapTileUrl: config.mapTileUrl });
    const missed = new MissedCallRepo({ db });
    registerMissedCallRoutes(app, { sessions: repos.sessions, terminals: repos.terminals, users: repos.users, missed, audit, notify: (view) => gateways.console.calledBack(view) });
    registerEnrolmentRoutes(app, { sessions: repos.sessions, terminals: repos.terminals, keys, codes, enrolment, guard });
    registerTerminalAdminRoutes(app, { db, sessions: repos.sessions, terminals: repos.terminals, audit });
    registerUserRoutes(app, {
      users: repos.users,
      sessions: repos.sessions,
      audit,
      guard,
      secureCookies,
      closeConsoles: (userId, reason) => gateways.console.closeUser(userId, reason),
    });
    registerAuditRoutes(app, { sessions: repos.sessions, audit });
    registerFleetRoutes(app, { sessions: repos.sessions, terminals: repos.terminals, calls, fleet, health, metrics, pool, db, consoles: () => gateways.console.size });
    // --- district federation: hook 2 of 4, routes ---
    federation.registerRoutes(app);
    if (fs.existsSync(`${config.consoleDir}/index.html`)) {
      await app.register(fastifyStatic, { root: config.consoleDir, prefix: '/' });
    } else {
      log.warn({ consoleDir: config.consoleDir }, 'console bundle not built: only the API is served');
    }

    const gateways = {
      terminal: new TerminalGateway({
        terminals: repos.terminals,
        presence,
        calls,
        pool,
        logger,
        keys,
        audit,
        enrolment,
        challengeTtlMs: config.challengeTtlMs,
        fleet,
        heartbeatIntervalMs: config.heartbeatIntervalMs,
        tamperCalls: config.tamperCalls,
        onAudioActivity: (callId, terminalId, activity) => gateways.console.audioActivity(callId, terminalId, activity),
      }),
      console: new ConsoleGateway({ terminals: repos.terminals, presence, calls, pool, logger, audit, fleet }),
    };
    const wss = new WebSocketServer({ noServer: true, maxPayload: WS_HARD_LIMIT_BYTES });
    app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (req.url ?? '').split('?')[0];
      const remote = req.socket.remoteAddress;
      if (path === '/ws/terminal') {
        wss.handleUpgrade(req, socket, head, (ws) => gateways.terminal.accept(ws, remote));
      } else if (path === '/ws/console') {
        // --- district federation: hook 3 of 4, a district officer's media ticket signs a console in too ---
        const user = userFromCookie(repos.sessions, req.headers.cookie) ?? federation.ticketUser(req.url);
        wss.handleUpgrade(req, socket, head, (ws) => gateways.console.accept(ws, user, remote));
      } else if (federation.handleUpgrade(req, socket, head, wss)) {
        // /ws/district on a district relay
      } else {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      }
    });
    const backups = config.backupDir ? new DbBackups({ db, dir: config.backupDir, keep: config.backupKeep, logger }) : null;
    backups?.schedule(config.backupIntervalMin * 60_000);
    return new Relay({ app, db, pool, calls, presence, fleet, repos, trust, tls: secureCookies, gateways, wss, log, backups, recordings, retention, mediaDir, federation });
  }

  async listen(host: string, port: number): Promise<string> {
    await this.app.listen({ host, port });
    return this.url;
  }

  get url(): string {
    return urlOf(this.app, this.#tls);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#log.info('relay shutting down');
    this.#gateways.terminal.close();
    this.#gateways.console.close();
    for (const ws of this.#wss.clients) ws.terminate();
    this.#wss.close();
    // --- district federation: hook 4 of 4, close ---
    await this.federation.close();
    this.calls.close();
    this.backups?.close();
    this.#retention.close();
    await this.recordings?.close();
    this.fleet.close();
    await this.app.close();
    await this.pool.close();
    this.db.close();
  }
}

function urlOf(app: FastifyInstance, tls: boolean): string {
  const addr = app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('relay is not listening');
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return `${tls ? 'https' : 'http'}://${host}:${addr.port}`;
}

function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, req, reply) => {
    if (error instanceof AppError) {
      return reply.status(error.status).send({ error: error.toWire() });
    }
    const e = error as { validation?: unknown; statusCode?: number; code?: string; message?: string };
    if (e.validation) {
      return reply.status(400).send({ error: { code: ErrorCode.BadRequest, message: e.message ?? 'invalid request' } });
    }
    if (e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
      return reply.status(400).send({ error: { code: ErrorCode.BadJson, message: 'body is not valid JSON' } });
    }
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.status(413).send({ error: { code: ErrorCode.FrameTooLarge, message: 'body too large' } });
    }
    if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.status(415).send({ error: { code: ErrorCode.BadRequest, message: 'send application/json' } });
    }
    if (e.statusCode && e.statusCode < 500) {
      return reply.status(e.statusCode).send({ error: { code: ErrorCode.BadRequest, message: e.message ?? 'bad request' } });
    }
    req.log.error({ err: error }, 'request failed');
    return reply.status(500).send({ error: { code: ErrorCode.Internal, message: 'internal error' } });
  });
  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send({ error: { code: ErrorCode.NotFound, message: `no route ${req.method} ${req.url}` } });
  });
}
