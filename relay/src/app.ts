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
import { ProcessLauncher } from './sfu/launcher/ProcessLauncher.ts';
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
import type { AuditRepo } from './db/AuditRepo.ts';
import { EnrolmentCodeRepo } from './db/EnrolmentCodeRepo.ts';
import { TerminalKeyRepo } from './db/TerminalKeyRepo.ts';
import { EnrolmentService } from './trust/EnrolmentService.ts';
import { LoginThrottle } from './security/LoginThrottle.ts';
import { KnownDevices } from './security/KnownDevices.ts';
import { SessionSockets } from './security/SessionSockets.ts';
import { ConnectionGuard } from './security/ConnectionGuard.ts';
import { RequestDeadlines } from './security/RequestDeadlines.ts';
import { installHttpHardening } from './security/httpHardening.ts';
import { originRefusal } from './security/originCheck.ts';
import { ThrottledAuditRepo } from './security/ThrottledAuditRepo.ts';
import { RowRetention } from './security/RowRetention.ts';
import { MediaAuthorisation } from './security/MediaAuthorisation.ts';
import { TerminalMessageLimits } from './security/TerminalMessageLimits.ts';
import { EvidenceViews } from './security/EvidenceViews.ts';
import { DiskGuard } from './security/DiskGuard.ts';
import { SecretRepo } from './db/SecretRepo.ts';
import { hashSessionToken } from './db/SessionRepo.ts';
import { parseCookies, SESSION_COOKIE } from './routes/cookies.ts';
import { registerEnrolmentRoutes } from './routes/enrolmentRoutes.ts';
import { registerTerminalAdminRoutes } from './routes/terminalAdminRoutes.ts';
import { registerUserRoutes } from './routes/userRoutes.ts';
import { registerAuditRoutes } from './routes/auditRoutes.ts';
import { HealthRepo } from './db/HealthRepo.ts';
import { FleetService } from './fleet/FleetService.ts';
import { Federation } from './district/Federation.ts';
import { RelayMetrics } from './metrics/RelayMetrics.ts';
import { registerFleetRoutes } from './routes/fleetRoutes.ts';
// dispatch (issue 13)
import { DispatchRepo, ResponseTimeRepo } from './db/DispatchRepo.ts';
import { ResponderRepo } from './db/ResponderRepo.ts';
import { AlleyNetwork } from './dispatch/AlleyNetwork.ts';
import { DispatchService } from './dispatch/DispatchService.ts';
import { ResponderGateway } from './dispatch/ResponderGateway.ts';
import { DeskDispatchGateway } from './dispatch/DeskDispatchGateway.ts';
import { registerDispatchRoutes } from './routes/dispatchRoutes.ts';
// kiosk updates (issue 10)
import { KioskUpdateRepo } from './db/KioskUpdateRepo.ts';
import { KioskUpdates } from './updates/KioskUpdates.ts';
import { uploadAllowanceMs } from './updates/uploadPace.ts';
import { registerUpdateRoutes } from './routes/updateRoutes.ts';
import { registerPrePressRoutes } from './routes/prePressRoutes.ts';
import { PrePressClips } from './calls/PrePressClips.ts';

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
  readonly #launcher: ProcessLauncher;
  readonly fleet: FleetService;
  readonly #gateways: { terminal: TerminalGateway; console: ConsoleGateway; responder: ResponderGateway; deskDispatch: DeskDispatchGateway };
  readonly dispatch: DispatchService;
  readonly #tls: boolean;
  readonly #wss: WebSocketServer;
  readonly #log: Logger;
  /** Hardening pieces with timers of their own (issue 16), closed with the relay. */
  readonly security: { connections: ConnectionGuard; sockets: SessionSockets; retention: RowRetention; limits: TerminalMessageLimits; disk: DiskGuard; throttle: LoginThrottle; media: MediaAuthorisation };
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
    gateways: { terminal: TerminalGateway; console: ConsoleGateway; responder: ResponderGateway; deskDispatch: DeskDispatchGateway };
    dispatch: DispatchService;
    wss: WebSocketServer;
    log: Logger;
    backups: DbBackups | null;
    recordings: CallRecordings | null;
    retention: EvidenceRetention;
    launcher: ProcessLauncher;
    mediaDir: string;
    federation: Federation;
    security: Relay['security'];
  }) {
    this.federation = parts.federation;
    this.security = parts.security;
    this.backups = parts.backups;
    this.recordings = parts.recordings;
    this.#retention = parts.retention;
    this.#launcher = parts.launcher;
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
    this.dispatch = parts.dispatch;
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
    // Recording stops before the media disk is full (and resumes when there is room again).
    const disk = new DiskGuard({ dir: mediaDir, minFreeBytes: config.minFreeDiskBytes, logger });
    // Forked now, while the relay is small: the recorders' ffmpegs and ffprobe start from it (ProcessLauncher.ts).
    const launcher = new ProcessLauncher({ logger });
    const recordings = config.recordCalls ? new CallRecordings({ calls, media: repos.media, mediaDir, logger, mayRecord: () => !disk.low, launcher }) : null;
    disk.on('changed', () => recordings?.recheck());
    const retention = new EvidenceRetention({ media: repos.media, mediaDir, retentionDays: config.retentionDays, logger });
    retention.sweep();

    const audit = new ThrottledAuditRepo({ db, logger, limits: config.anonymousAuditLimits });
    const keys = new TerminalKeyRepo({ db });
    const codes = new EnrolmentCodeRepo({ db });
    const enrolment = new EnrolmentService({ db, terminals: repos.terminals, keys, codes, audit, logger });
    const trust = { keys, codes, audit, enrolment };
    const guard = new LoginThrottle(config.loginLimits);
    const rowRetention = new RowRetention({ db, logger, auditDays: config.auditRetentionDays, selfTestDays: config.selfTestRetentionDays });
    rowRetention.sweep();
    const media = new MediaAuthorisation({ calls });
    const limits = new TerminalMessageLimits({ limits: config.terminalLimits, logger, heartbeatIntervalMs: config.heartbeatIntervalMs });
    const sockets = new SessionSockets({ logger, isLive: (hash) => repos.sessions.isLive(hash) });
    const connections = new ConnectionGuard({ caps: config.connectionCaps, logger });
    const deadlines = new RequestDeadlines({ requestTimeoutMs: config.serverTimeouts.requestTimeoutMs, onTimeout: (req, res) => connections.timedOut(req.socket, res.headersSent) });
    const tls = config.tls ? { key: fs.readFileSync(config.tls.keyFile), cert: fs.readFileSync(config.tls.certFile) } : null;
    const secureCookies = tls !== null;
    const devices = new KnownDevices({ secureCookies });
    // Heartbeat samples are committed on a worker thread, off the loop that answers presses (issue 15).
    const health = new HealthRepo({ db, offThread: true, logger });
    const fleet = new FleetService({ health, terminals: repos.terminals, presence, logger, heartbeatIntervalMs: config.heartbeatIntervalMs });
    // --- district federation (issue 14): hook 1 of 4, build ---
    const federation = new Federation({
      station: config.federation.station,
      staleCallIds,
      district: config.federation.district,
      deps: { db, calls, terminals: repos.terminals, presence, fleet, users: repos.users, sessions: repos.sessions, audit, logger, selfUrl: () => urlOf(app, secureCookies) },
    });
    const metrics = new RelayMetrics({ calls, fleet, presence, terminals: repos.terminals, pool, logger, disk, connections });

    // --- dispatch (issue 13)
    const dc = config.dispatch;
    const network = dc.alleyNetworkFile ? AlleyNetwork.fromFile(dc.alleyNetworkFile, dc.detourFactor) : AlleyNetwork.straightOnly(dc.detourFactor);
    log.info({ alleyNetwork: dc.alleyNetworkFile || null, vertices: network.vertexCount, detourFactor: dc.detourFactor }, network.hasNetwork ? 'dispatch distances along the alley network' : 'dispatch distances: straight line × detour factor');
    const responders = new ResponderRepo({ db });
    const dispatch = new DispatchService({
      dispatches: new DispatchRepo({ db }),
      responders,
      users: repos.users,
      callRepo: repos.calls,
      terminals: repos.terminals,
      media: repos.media,
      calls,
      presence,
      audit,
      network,
      timings: dc,
      logger,
    });
    // The district hears that someone was sent (once per call: the event's id is the call's, so JetStream
    // and the district's event table keep the first dispatch only).
    dispatch.on('dispatchUpdated', (d) => {
      if (d.status !== 'assigned') return;
      const view = calls.view(d.callId);
      if (view) federation.bridge?.recordDispatched(view, { responder: d.responder.unitName, kind: d.responder.kind, distanceM: d.distanceM });
    });

    // Kiosk packages live beside the evidence (the relay's data disk), one file per sha256.
    const updates = new KioskUpdates({
      repo: new KioskUpdateRepo({ db }),
      terminals: repos.terminals,
      presence,
      audit,
      packagesDir: path.join(mediaDir, 'packages'),
      secret: new SecretRepo({ db }).getOrCreate('kiosk-download'),
      maxPackageBytes: config.updates.maxPackageBytes,
      downloadTokenTtlMs: config.updates.downloadTokenTtlMs,
      assertRoom: () => disk.assertRoom(),
      logger,
    });

    // The terminal's clip of the seconds around a press (issue 15), uploaded with a signed link.
    const prePress = new PrePressClips({
      calls: repos.calls,
      media: repos.media,
      audit,
      mediaDir,
      secret: new SecretRepo({ db }).getOrCreate('kiosk-prepress'),
      assertRoom: () => disk.assertRoom(),
      logger,
      launcher,
    });

    const httpLog: FastifyBaseLogger = logger.child({ component: 'http' });
    const app = Fastify({
      loggerInstance: httpLog,
      bodyLimit: 64 * 1024,
      // Requests are not logged one by one: the relay logs what happened (calls, refusals), not every GET.
      logController: new LogController({ disableRequestLogging: true }),
      // Unknown fields are refused (bad_request), not silently dropped: a client sending `id` or `admin` must learn it was ignored.
      ajv: { customOptions: { removeAdditional: false } },
      // Slow clients are cut off (slowloris, dribbled bodies): headers within 10 s (node), the rest of the
      // request within 30 s after them (RequestDeadlines); node's own request limit only backs up the
      // longest an admin's package upload may take (uploadPace.ts).
      ...(tls ? { https: { ...tls, headersTimeout: config.serverTimeouts.headersTimeoutMs, connectionsCheckingInterval: config.serverTimeouts.checkIntervalMs } } : {}),
      http: { headersTimeout: config.serverTimeouts.headersTimeoutMs, connectionsCheckingInterval: config.serverTimeouts.checkIntervalMs },
      requestTimeout: config.serverTimeouts.headersTimeoutMs + Math.max(config.serverTimeouts.requestTimeoutMs, uploadAllowanceMs(config.updates.maxPackageBytes, config.updates.uploadPace)),
      connectionTimeout: config.serverTimeouts.connectionTimeoutMs,
      keepAliveTimeout: config.serverTimeouts.keepAliveTimeoutMs,
      clientErrorHandler: (err, socket) => connections.clientError(err as NodeJS.ErrnoException, socket as import('node:net').Socket),
      // Errors the router raises before any handler (a bad %-escape, an over-long path
      // parameter) get the same { error: { code } } body as everything else.
      frameworkErrors: (error, _req, reply) => {
        const r = reply as unknown as { status(code: number): { send(body: unknown): unknown } };
        r.status(error.statusCode ?? 400).send({ error: { code: ErrorCode.BadRequest, message: error.message } });
      },
    }) as unknown as FastifyInstance;
    installErrorHandling(app);
    connections.attach(app.server as import('node:http').Server);
    deadlines.attach(app.server as import('node:http').Server);
    await installHttpHardening(app, { cookieSecret: new SecretRepo({ db }).getOrCreate('cookie-signing'), mapTileUrl: config.mapTileUrl, tls: secureCookies, authPerMinute: config.authPerMinute, extraConnectSrc: () => federation.district?.stationSocketOrigins() ?? [] });
    registerAuthRoutes(app, {
      users: repos.users,
      sessions: repos.sessions,
      secureCookies,
      guard,
      audit,
      devices,
      sockets,
      closeConsoles: (userId, reason) => gateways.console.closeUser(userId, reason),
    });
    registerApiRoutes(app, { sessions: repos.sessions, terminals: repos.terminals, callRepo: repos.calls, calls });
    registerHistoryRoutes(app, {
      ...repos,
      callRepo: repos.calls,
      audit,
      mediaDir,
      mapTileUrl: config.mapTileUrl,
      evidence: new EvidenceViews({ audit }),
      snapshotsPerCall: config.snapshotsPerCall,
      assertDiskSpace: () => disk.assertRoom(),
    });
    const missed = new MissedCallRepo({ db });
    registerMissedCallRoutes(app, { sessions: repos.sessions, terminals: repos.terminals, users: repos.users, missed, audit, notify: (view) => gateways.console.calledBack(view) });
    registerEnrolmentRoutes(app, { sessions: repos.sessions, terminals: repos.terminals, keys, codes, enrolment, guard });
    registerTerminalAdminRoutes(app, { db, sessions: repos.sessions, terminals: repos.terminals, audit });
    registerUserRoutes(app, {
      users: repos.users,
      sessions: repos.sessions,
      audit,
      guard,
      devices,
      secureCookies,
      closeConsoles: (userId, reason) => {
        gateways.console.closeUser(userId, reason);
        gateways.responder.closeUser(userId, reason);
        gateways.deskDispatch.closeUser(userId, reason);
      },
    });
    registerAuditRoutes(app, { sessions: repos.sessions, audit });
    registerDispatchRoutes(app, { sessions: repos.sessions, users: repos.users, responders, responseTimes: new ResponseTimeRepo({ db }), dispatch, audit, mediaDir, responseTargetMs: dc.responseTargetMs });
    registerFleetRoutes(app, { sessions: repos.sessions, terminals: repos.terminals, calls, fleet, health, metrics, pool, db, consoles: () => gateways.console.size, metricsToken: config.metricsToken, disk });
    registerUpdateRoutes(app, { sessions: repos.sessions, updates, deadlines, pace: config.updates.uploadPace });
    registerPrePressRoutes(app, { clips: prePress });
    // --- district federation: hook 2 of 4, routes ---
    federation.registerRoutes(app);
    if (fs.existsSync(`${config.consoleDir}/index.html`)) {
      // Source maps stay on the build machine: the console's source is not served to the network.
      await app.register(fastifyStatic, { root: config.consoleDir, prefix: '/', allowedPath: (pathName) => !pathName.endsWith('.map') });
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
        keySweepMs: config.keySweepMs,
        fleet,
        heartbeatIntervalMs: config.heartbeatIntervalMs,
        media,
        limits,
        tamperCalls: config.tamperCalls,
        updates,
        prePress,
        onAudioActivity: (callId, terminalId, activity) => gateways.console.audioActivity(callId, terminalId, activity),
      }),
      console: new ConsoleGateway({ terminals: repos.terminals, presence, calls, pool, logger, audit, fleet, media }),
      responder: new ResponderGateway({ dispatch, calls, pool, audit, logger, media }),
      deskDispatch: new DeskDispatchGateway({ dispatch, audit, logger }),
    };
    const wss = new WebSocketServer({ noServer: true, maxPayload: WS_HARD_LIMIT_BYTES });
    app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (req.url ?? '').split('?')[0];
      const remote = req.socket.remoteAddress;
      const kind =
        path === '/ws/terminal' ? 'terminal' : path === '/ws/console' ? 'console' : path === '/ws/responder' ? 'responder' : path === '/ws/dispatch' ? 'dispatch' : null;
      // The responders' and the desk's dispatch sockets sign in by the same session cookie as the console: same checks.
      const guardKind = kind === 'terminal' ? 'terminal' : kind ? 'console' : null;
      if (kind && guardKind) {
        // A district officer's media ticket is a bearer credential in the URL, not an ambient cookie, so a
        // cross-site page cannot ride on it: its socket comes from the district console's origin by design.
        const districtTicket = kind === 'console' && federation.ticketUser(req.url) !== null;
        const refusal = districtTicket ? null : originRefusal(guardKind, req, config.allowedOrigins);
        if (refusal) {
          log.warn({ remote, origin: req.headers.origin, gateway: kind, reason: refusal }, 'WebSocket upgrade refused: Origin');
          if (kind === 'console') audit.write({ actor: 'anonymous', action: 'console.origin', target: req.headers.origin ?? null, outcome: 'refused', detail: { code: ErrorCode.OriginForbidden }, remote });
          socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
          socket.destroy();
          return;
        }
        if (!connections.admitWebSocket(guardKind, req, socket)) return;
      }
      if (kind === 'terminal') {
        wss.handleUpgrade(req, socket, head, (ws) => gateways.terminal.accept(ws, remote));
      } else if (kind === 'console') {
        // --- district federation: hook 3 of 4, a district officer's media ticket signs a console in too ---
        const ticketUser = federation.ticketUser(req.url);
        const user = userFromCookie(repos.sessions, req.headers.cookie) ?? ticketUser;
        const token = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
        wss.handleUpgrade(req, socket, head, (ws) => {
          // Registered by session, so logging out (or the session ending any other way) closes this socket.
          if (user && token && user !== ticketUser) sockets.add(hashSessionToken(token), ws);
          gateways.console.accept(ws, user, remote);
        });
      } else if (federation.handleUpgrade(req, socket, head, wss)) {
        // /ws/district on a district relay
      } else if (kind === 'responder' || kind === 'dispatch') {
        const user = userFromCookie(repos.sessions, req.headers.cookie);
        const token = parseCookies(req.headers.cookie).get(SESSION_COOKIE);
        const gw = kind === 'responder' ? gateways.responder : gateways.deskDispatch;
        wss.handleUpgrade(req, socket, head, (ws) => {
          if (user && token) sockets.add(hashSessionToken(token), ws);
          gw.accept(ws, user, remote);
        });
      } else {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      }
    });
    const backups = config.backupDir ? new DbBackups({ db, dir: config.backupDir, keep: config.backupKeep, logger }) : null;
    backups?.schedule(config.backupIntervalMin * 60_000);
    const security = { connections, sockets, retention: rowRetention, limits, disk, throttle: guard, media };
    return new Relay({ app, db, pool, calls, presence, fleet, repos, trust, tls: secureCookies, gateways, wss, log, backups, recordings, retention, launcher, mediaDir, federation, security, dispatch });
  }

  /** The two WebSocket gateways (tests look at their registries). */
  get gateways(): { readonly terminal: TerminalGateway; readonly console: ConsoleGateway } {
    return this.#gateways;
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
    this.#gateways.responder.close();
    this.#gateways.deskDispatch.close();
    this.dispatch.close();
    for (const ws of this.#wss.clients) ws.terminate();
    this.#wss.close();
    // --- district federation: hook 4 of 4, close ---
    await this.federation.close();
    this.calls.close();
    this.backups?.close();
    this.#retention.close();
    await this.recordings?.close();
    this.#launcher.close();
    this.fleet.close();
    const s = this.security;
    s.sockets.close();
    s.retention.close();
    s.limits.close();
    s.disk.close();
    await this.app.close();
    s.connections.close();
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
      // 429s (sign-in back-off, request budgets) say when to come back.
      const retryAfterS = error.details?.['retryAfterS'];
      if (typeof retryAfterS === 'number') reply.header('retry-after', String(Math.max(1, retryAfterS)));
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
