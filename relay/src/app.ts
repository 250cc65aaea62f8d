import fs from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
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
import { CallService } from './calls/CallService.ts';
import { TerminalPresence } from './presence/TerminalPresence.ts';
import { WorkerPool } from './sfu/WorkerPool.ts';
import { TerminalGateway } from './gateway/TerminalGateway.ts';
import { ConsoleGateway } from './gateway/ConsoleGateway.ts';
import { registerAuthRoutes, userFromCookie } from './routes/authRoutes.ts';
import { registerApiRoutes } from './routes/apiRoutes.ts';
import { HealthRepo } from './db/HealthRepo.ts';
import { FleetService } from './fleet/FleetService.ts';
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
  readonly fleet: FleetService;
  readonly repos: { terminals: TerminalRepo; calls: CallRepo; users: UserRepo; sessions: SessionRepo };
  readonly #gateways: { terminal: TerminalGateway; console: ConsoleGateway };
  readonly #wss: WebSocketServer;
  readonly #log: Logger;
  #closed = false;

  private constructor(parts: {
    app: FastifyInstance;
    db: Database.Database;
    pool: WorkerPool;
    calls: CallService;
    presence: TerminalPresence;
    fleet: FleetService;
    repos: Relay['repos'];
    gateways: { terminal: TerminalGateway; console: ConsoleGateway };
    wss: WebSocketServer;
    log: Logger;
  }) {
    this.app = parts.app;
    this.db = parts.db;
    this.pool = parts.pool;
    this.calls = parts.calls;
    this.presence = parts.presence;
    this.fleet = parts.fleet;
    this.repos = parts.repos;
    this.#gateways = parts.gateways;
    this.#wss = parts.wss;
    this.#log = parts.log;
  }

  static async create(config: RelayConfig, logger: Logger): Promise<Relay> {
    const log = logger.child({ component: 'relay' });
    const db = openDatabase(config.dbPath);
    if (config.demo) await seedDemo(db);
    const repos = { terminals: new TerminalRepo({ db }), calls: new CallRepo({ db }), users: new UserRepo({ db }), sessions: new SessionRepo({ db }) };
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
    const calls = new CallService({ calls: repos.calls, terminals: repos.terminals, users: repos.users, presence, logger, ringTimeoutMs: config.ringTimeoutMs });
    calls.closeStaleCalls();
    const health = new HealthRepo({ db });
    const fleet = new FleetService({ health, terminals: repos.terminals, presence, logger, heartbeatIntervalMs: config.heartbeatIntervalMs });
    const metrics = new RelayMetrics({ calls, fleet, presence, terminals: repos.terminals, pool, logger });

    const httpLog: FastifyBaseLogger = logger.child({ component: 'http' });
    const app = Fastify({ loggerInstance: httpLog, bodyLimit: 64 * 1024, disableRequestLogging: true });
    installErrorHandling(app);
    registerAuthRoutes(app, { users: repos.users, sessions: repos.sessions, secureCookies: false });
    registerApiRoutes(app, { sessions: repos.sessions, terminals: repos.terminals, callRepo: repos.calls, calls });
    registerFleetRoutes(app, { sessions: repos.sessions, terminals: repos.terminals, calls, fleet, health, metrics, pool, db, consoles: () => gateways.console.size });
    if (fs.existsSync(`${config.consoleDir}/index.html`)) {
      await app.register(fastifyStatic, { root: config.consoleDir, prefix: '/' });
    } else {
      log.warn({ consoleDir: config.consoleDir }, 'console bundle not built: only the API is served');
    }

    const gateways = {
      terminal: new TerminalGateway({ terminals: repos.terminals, presence, calls, pool, logger, fleet, heartbeatIntervalMs: config.heartbeatIntervalMs }),
      console: new ConsoleGateway({ terminals: repos.terminals, presence, calls, pool, logger, fleet }),
    };
    const wss = new WebSocketServer({ noServer: true, maxPayload: WS_HARD_LIMIT_BYTES });
    app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (req.url ?? '').split('?')[0];
      const remote = req.socket.remoteAddress;
      if (path === '/ws/terminal') {
        wss.handleUpgrade(req, socket, head, (ws) => gateways.terminal.accept(ws, remote));
      } else if (path === '/ws/console') {
        const user = userFromCookie(repos.sessions, req.headers.cookie);
        wss.handleUpgrade(req, socket, head, (ws) => gateways.console.accept(ws, user, remote));
      } else {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      }
    });
    return new Relay({ app, db, pool, calls, presence, fleet, repos, gateways, wss, log });
  }

  async listen(host: string, port: number): Promise<string> {
    await this.app.listen({ host, port });
    return this.url;
  }

  get url(): string {
    const addr = this.app.server.address();
    if (!addr || typeof addr === 'string') throw new Error('relay is not listening');
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    return `http://${host}:${addr.port}`;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#log.info('relay shutting down');
    this.#gateways.terminal.close();
    this.#gateways.console.close();
    for (const ws of this.#wss.clients) ws.terminate();
    this.#wss.close();
    this.calls.close();
    this.fleet.close();
    await this.app.close();
    await this.pool.close();
    this.db.close();
  }
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
