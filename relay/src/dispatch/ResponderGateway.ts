import type { MediaAuthorisation } from '../security/MediaAuthorisation.ts';
import type { WebSocket } from 'ws';
import type { Logger } from 'pino';
import { AppError, ErrorCode, FrameDecoder, ResponderRequests, type JobView, type RequestData, type ResponderEvents } from '@helppoint/shared';
import type { CallService } from '../calls/CallService.ts';
import type { AuditRepo } from '../db/AuditRepo.ts';
import { CloseCode, Connection } from '../gateway/Connection.ts';
import { rtcHandlers } from '../gateway/rtcHandlers.ts';
import { MediaPeer } from '../sfu/MediaPeer.ts';
import type { WorkerPool } from '../sfu/WorkerPool.ts';
import { may } from '../trust/roles.ts';
import type { DispatchService } from './DispatchService.ts';

type R = typeof ResponderRequests;
type Conn = Connection<R, typeof ResponderEvents>;

export interface SocketUser {
  id: number;
  username: string;
  displayName: string;
  role: string;
}

/**
 * /ws/responder: a responder's phone. Jobs are pushed as they are offered and
 * change; the phone consumes the caller's camera and microphone of its own
 * job's call, and produces its microphone for the talk button. Status changes
 * go over REST (they must survive a flaky street connection: a retry is safe).
 */
export type ResponderGatewayOptions = { dispatch: DispatchService; calls: CallService; pool: WorkerPool; audit: AuditRepo; logger: Logger; media: MediaAuthorisation; pingIntervalMs?: number };

export class ResponderGateway {
  readonly #log: Logger;
  readonly #decoder = new FrameDecoder({ requests: ResponderRequests });
  readonly #byUser = new Map<number, Set<Conn>>();
  readonly #all = new Set<Conn>();
  readonly #o: ResponderGatewayOptions;

  constructor(opts: ResponderGatewayOptions) {
    this.#o = opts;
    this.#log = opts.logger.child({ component: 'responder-gateway' });
    opts.dispatch.on('jobUpdated', (responderId: number, job: JobView) => {
      for (const conn of this.#byUser.get(responderId) ?? []) conn.send('job.updated', { job });
    });
  }

  accept(ws: WebSocket, user: SocketUser | null, remote: string | undefined): void {
    if (!user) {
      ws.close(CloseCode.Unauthenticated, 'unauthenticated');
      return;
    }
    const { dispatch, calls, pool, audit } = this.#o;
    const conn: Conn = new Connection({ ws, decoder: this.#decoder, handlers: {}, logger: this.#log, bindings: { userId: user.id, user: user.username, remote }, pingIntervalMs: this.#o.pingIntervalMs ?? 15_000 });
    const mine = this.#byUser.get(user.id) ?? new Set<Conn>();
    mine.add(conn);
    this.#byUser.set(user.id, mine);
    this.#all.add(conn);
    const isResponder = (): void => {
      if (!may(user.role, 'responder.self')) throw new AppError(ErrorCode.Forbidden, `role ${user.role} is not a responder`);
    };
    const peer = new MediaPeer({ logger: conn.log });
    let ready = false;
    conn.setHandlers({
      hello: () => {
        isResponder();
        if (ready) throw new AppError(ErrorCode.AlreadyHello, 'hello was already sent on this connection');
        const responder = dispatch.responderView(dispatch.responderOf(user.id));
        ready = true;
        conn.log.info('responder phone connected');
        return { user, responder, routerRtpCapabilities: pool.routerRtpCapabilities as unknown as Record<string, unknown>, jobs: dispatch.jobsOf(user.id) };
      },
      'job.talk': (d: RequestData<R, 'job.talk'>) => {
        isResponder();
        dispatch.talk(d.dispatchId, user.id, d.on);
        return {};
      },
      ...rtcHandlers({
        peer,
        pool,
        slotFor: (callId) => {
          isResponder();
          if (!callId) throw new AppError(ErrorCode.BadMessage, 'say which call a transport is for');
          dispatch.jobOnCall(callId, user.id);
          return calls.slotForCall(callId);
        },
        mayProduce: (callId, kind) => {
          isResponder();
          if (kind !== 'audio') throw new AppError(ErrorCode.BadMessage, 'responders send audio only');
          if (!callId) throw new AppError(ErrorCode.BadMessage, 'say which call you talk into');
          dispatch.jobOnCall(callId, user.id);
        },
        // mayProduce refused a produce without a call
        onProduce: (callId, producer) => {
          dispatch.setTalkProducer(dispatch.jobOnCall(callId!, user.id).id, producer.id);
          // The responder talks to the terminal like the officer does: the terminal may consume it.
          this.#o.media.track(callId!, 'officer', producer);
        },
        // A responder may consume only the media of the call its job is on, on a transport opened for that call.
        mayConsume: (producerId, transportCallId) => {
          isResponder();
          const call = transportCallId ? calls.openCalls().find((c) => c.id === transportCallId) : undefined;
          const refuse = (why: string): never => {
            audit.write({ actor: `user:${user.username}`, action: 'media.consume', target: producerId, outcome: 'refused', detail: { code: ErrorCode.NotYourCall, callId: transportCallId ?? null, as: 'responder' }, remote });
            throw new AppError(ErrorCode.NotYourCall, why);
          };
          if (!call) return refuse('consume on a transport opened for your job’s call');
          dispatch.jobOnCall(call.id, user.id);
          if (!call.producers.some((p) => p.id === producerId)) return refuse('that media is not part of your job’s call');
          return calls.slotForCall(call.id);
        },
        onConsume: (producerId, kind) => {
          const call = calls.openCalls().find((c) => c.producers.some((p) => p.id === producerId));
          audit.write({ actor: `user:${user.username}`, action: kind === 'video' ? 'camera.view' : 'microphone.listen', target: call?.terminal.id ?? producerId, detail: { callId: call?.id ?? null, producerId, kind, as: 'responder' }, remote });
        },
      }),
    });
    const onCallClosed = (callId: string) => peer.closeCall(callId);
    calls.on('callClosed', onCallClosed);
    conn.on('closed', () => {
      mine.delete(conn);
      this.#all.delete(conn);
      if (!mine.size && this.#byUser.get(user.id) === mine) this.#byUser.delete(user.id);
      calls.off('callClosed', onCallClosed);
      peer.close();
      conn.log.info('responder phone disconnected');
    });
  }

  closeUser(userId: number, reason: string): void {
    for (const conn of [...(this.#byUser.get(userId) ?? [])]) conn.close(CloseCode.Unauthenticated, reason);
  }

  close(): void {
    for (const conn of this.#all) conn.close(CloseCode.GoingAway, 'relay_shutdown');
  }
}
