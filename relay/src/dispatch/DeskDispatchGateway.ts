import type { WebSocket } from 'ws';
import type { Logger } from 'pino';
import { AppError, DeskDispatchRequests, ErrorCode, FrameDecoder, type DeskDispatchEvents, type DispatchView, type ResponderView } from '@helppoint/shared';
import type { AuditRepo } from '../db/AuditRepo.ts';
import { CloseCode, Connection } from '../gateway/Connection.ts';
import { may } from '../trust/roles.ts';
import type { DispatchService } from './DispatchService.ts';
import type { SocketUser } from './ResponderGateway.ts';

/**
 * /ws/dispatch: the desk's dispatch panel and responder map. Responders'
 * positions are personal data: a desk sees them only after hello, which is
 * audited (responder.positions.view) on every (re)connection.
 */
type Conn = Connection<typeof DeskDispatchRequests, typeof DeskDispatchEvents>;

export type DeskDispatchGatewayOptions = { dispatch: DispatchService; audit: AuditRepo; logger: Logger; pingIntervalMs?: number };

export class DeskDispatchGateway {
  readonly #log: Logger;
  readonly #decoder = new FrameDecoder({ requests: DeskDispatchRequests });
  readonly #watchers = new Set<Conn>();
  readonly #byUser = new Map<number, Set<Conn>>();
  readonly #all = new Set<Conn>();
  readonly #o: DeskDispatchGatewayOptions;

  constructor(opts: DeskDispatchGatewayOptions) {
    this.#o = opts;
    this.#log = opts.logger.child({ component: 'dispatch-gateway' });
    opts.dispatch.on('dispatchUpdated', (dispatch: DispatchView) => {
      for (const c of this.#watchers) c.send('dispatch.updated', { dispatch });
    });
    opts.dispatch.on('responderUpdated', (responder: ResponderView) => {
      for (const c of this.#watchers) c.send('responder.updated', { responder });
    });
  }

  accept(ws: WebSocket, user: SocketUser | null, remote: string | undefined): void {
    if (!user) {
      ws.close(CloseCode.Unauthenticated, 'unauthenticated');
      return;
    }
    const conn: Conn = new Connection({ ws, decoder: this.#decoder, handlers: {}, logger: this.#log, bindings: { userId: user.id, user: user.username, remote }, pingIntervalMs: this.#o.pingIntervalMs ?? 15_000 });
    const mine = this.#byUser.get(user.id) ?? new Set<Conn>();
    mine.add(conn);
    this.#byUser.set(user.id, mine);
    this.#all.add(conn);
    conn.setHandlers({
      hello: () => {
        if (!may(user.role, 'dispatch.assign')) {
          this.#o.audit.write({ actor: `user:${user.username}`, action: 'responder.positions.view', target: 'responders', outcome: 'refused', detail: { code: ErrorCode.Forbidden }, remote });
          throw new AppError(ErrorCode.Forbidden, `role ${user.role} may not see responders`);
        }
        if (this.#watchers.has(conn)) throw new AppError(ErrorCode.AlreadyHello, 'hello was already sent on this connection');
        this.#watchers.add(conn);
        this.#o.audit.write({ actor: `user:${user.username}`, action: 'responder.positions.view', target: 'responders', detail: { via: 'desk map' }, remote });
        return { responders: this.#o.dispatch.responders(), dispatches: this.#o.dispatch.recent(), escalateAfterMs: this.#o.dispatch.escalateAfterMs };
      },
    });
    conn.on('closed', () => {
      this.#watchers.delete(conn);
      this.#all.delete(conn);
      mine.delete(conn);
      if (!mine.size && this.#byUser.get(user.id) === mine) this.#byUser.delete(user.id);
    });
  }

  closeUser(userId: number, reason: string): void {
    for (const conn of [...(this.#byUser.get(userId) ?? [])]) conn.close(CloseCode.Unauthenticated, reason);
  }

  close(): void {
    for (const conn of this.#all) conn.close(CloseCode.GoingAway, 'relay_shutdown');
  }
}
