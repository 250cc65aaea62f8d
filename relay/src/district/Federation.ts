import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Database } from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { WebSocket, WebSocketServer } from 'ws';
import type { DistrictPush } from '@helppoint/shared';
import type { CallService } from '../calls/CallService.ts';
import type { AuditRepo } from '../db/AuditRepo.ts';
import type { SessionRepo } from '../db/SessionRepo.ts';
import type { TerminalRepo } from '../db/TerminalRepo.ts';
import type { UserRepo } from '../db/UserRepo.ts';
import type { FleetService } from '../fleet/FleetService.ts';
import type { TerminalPresence } from '../presence/TerminalPresence.ts';
import { userFromCookie, type SignedInUser } from '../routes/authRoutes.ts';
import { may } from '../trust/roles.ts';
import { DistrictCallLog } from './DistrictCallLog.ts';
import { registerDistrictRoutes } from './districtRoutes.ts';
import type { DistrictRoleConfig, StationLinkConfig } from './districtConfig.ts';
import { DistrictOutbox } from './DistrictOutbox.ts';
import { DistrictService } from './DistrictService.ts';
import { DistrictTokenVerifier } from './DistrictTokens.ts';
import { StationBridge } from './StationBridge.ts';
import { StationCommands } from './StationCommands.ts';

export interface FederationDeps {
  db: Database;
  calls: CallService;
  terminals: TerminalRepo;
  presence: TerminalPresence;
  fleet: FleetService;
  users: UserRepo;
  sessions: SessionRepo;
  audit: AuditRepo;
  logger: Logger;
  /** This relay's own URL once it listens (used when no public URL is configured, e.g. in tests). */
  selfUrl: () => string;
}

/**
 * Everything district federation adds to a relay, in one place so app.ts
 * hooks in at four marked points: build, routes, WebSocket upgrade, close.
 * A station relay gets a StationBridge (when configured); a district relay
 * gets a DistrictService, its routes and /ws/district.
 */
export class Federation {
  readonly bridge: StationBridge | null;
  readonly district: DistrictService | null;
  readonly #deps: FederationDeps;
  readonly #log: Logger;
  readonly #districtSockets = new Set<WebSocket>();

  constructor(opts: { station: StationLinkConfig | undefined; district: DistrictRoleConfig | undefined; deps: FederationDeps; staleCallIds?: string[] }) {
    const { deps } = opts;
    this.#deps = deps;
    this.#log = deps.logger.child({ component: 'federation' });
    this.bridge = null;
    this.district = null;
    if (opts.station) {
      const verifier = new DistrictTokenVerifier({ publicKeyPem: opts.station.districtPublicKeyPem, station: opts.station.stationId });
      const commands = new StationCommands({ calls: deps.calls, users: deps.users, sessions: deps.sessions, audit: deps.audit, verifier, publicUrl: () => opts.station?.publicUrl || deps.selfUrl(), logger: deps.logger });
      this.bridge = StationBridge.create({
        config: opts.station,
        calls: deps.calls,
        terminals: deps.terminals,
        presence: deps.presence,
        fleet: deps.fleet,
        outbox: new DistrictOutbox({ db: deps.db }),
        commands,
        publicUrl: () => opts.station?.publicUrl || deps.selfUrl(),
        logger: deps.logger,
      });
      // Calls the previous run left open were just ended (relay_restart): tell the district, or it would ring for them forever.
      for (const id of opts.staleCallIds ?? []) {
        const view = deps.calls.view(id);
        if (view) this.bridge.recordEnded(view);
      }
    }
    if (opts.district) {
      this.district = new DistrictService({ config: opts.district, callLog: new DistrictCallLog({ db: deps.db }), logger: deps.logger });
      this.district.on('push', (p) => this.#pushAll(p));
    }
  }

  /** A district officer's media ticket: a station session of a `district.*` account, carried in the socket URL. */
  ticketUser(url: string | undefined): SignedInUser | null {
    if (!this.bridge || !url) return null;
    const ticket = new URL(url, 'http://x').searchParams.get('ticket');
    if (!ticket) return null;
    const found = this.#deps.sessions.resolve(ticket);
    if (!found || !found.user.username.startsWith('district.')) return null;
    const u = found.user;
    return { id: u.id, username: u.username, displayName: u.displayName, role: u.role };
  }

  registerRoutes(app: FastifyInstance): void {
    if (this.district) registerDistrictRoutes(app, { district: this.district, sessions: this.#deps.sessions, audit: this.#deps.audit });
  }

  /** /ws/district: a snapshot, then every change. True when it took the upgrade. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, wss: WebSocketServer): boolean {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/ws/district' || !this.district) return false;
    const user = userFromCookie(this.#deps.sessions, req.headers.cookie);
    const district = this.district;
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (!user || !may(user.role, 'calls.read')) {
        ws.close(4401, 'unauthenticated');
        return;
      }
      this.#districtSockets.add(ws);
      ws.on('close', () => this.#districtSockets.delete(ws));
      ws.on('error', () => this.#districtSockets.delete(ws));
      ws.send(JSON.stringify({ type: 'snapshot', data: district.snapshot() } satisfies DistrictPush));
    });
    return true;
  }

  #pushAll(p: DistrictPush): void {
    if (!this.#districtSockets.size) return;
    const frame = JSON.stringify(p);
    for (const ws of this.#districtSockets) {
      // A console that cannot keep up gets a fresh snapshot when it reconnects instead of an unbounded queue.
      if (ws.bufferedAmount > 8 * 1024 * 1024) {
        this.#log.warn('district console too slow: closing it');
        ws.terminate();
        continue;
      }
      ws.send(frame);
    }
  }

  async close(): Promise<void> {
    for (const ws of this.#districtSockets) ws.terminate();
    await this.bridge?.close();
    await this.district?.close();
  }
}
