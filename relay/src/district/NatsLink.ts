import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { TypedEmitter } from '@helppoint/shared';
import { Backoff } from '../../../shared/src/backoff.ts';
import { inboxPrefix } from '../../../shared/src/protocol/districtSubjects.ts';
import type { NatsLinkConfig } from './districtConfig.ts';

export interface NatsLinkEvents {
  /** Connected (first time or again): queued work may flow. */
  up: [];
  down: [];
  /** The server refused something (e.g. a permissions violation): logged, and tests watch it. */
  serverError: [Error];
}

/**
 * One NATS connection that keeps trying forever (the client's own capped
 * reconnect with jitter), including when NATS is unreachable at start-up:
 * the relay must start and serve its station regardless.
 */
export class NatsLink extends TypedEmitter<NatsLinkEvents> {
  readonly #log: Logger;
  #nc: NatsConnection | null = null;
  #up = false;
  #closed = false;
  #retry: ReturnType<typeof setTimeout> | null = null;
  readonly ready: Promise<NatsConnection>;

  private constructor(opts: { config: NatsLinkConfig; name: string; inboxOwner: string; logger: Logger }) {
    super();
    this.#log = opts.logger.child({ component: 'nats' });
    this.onListenerError = (error, event) => this.#log.error({ err: error, event }, 'nats listener failed');
    this.ready = this.#connectLoop(opts);
    this.ready.catch(() => undefined);
  }

  /** The first connection is retried here (so close() can stop it); later drops are the client's own reconnects. */
  async #connectLoop(opts: { config: NatsLinkConfig; name: string; inboxOwner: string }): Promise<NatsConnection> {
    const { config } = opts;
    const backoff = new Backoff({ initialMs: 500, maxMs: 5000 });
    for (;;) {
      if (this.#closed) throw new Error('nats link closed');
      try {
        const nc = await connect({
          servers: config.servers,
          name: opts.name,
          ...(config.user ? { user: config.user, pass: config.password } : {}),
          ...(config.caFile ? { tls: { caFile: config.caFile } } : {}),
          inboxPrefix: inboxPrefix(opts.inboxOwner),
          maxReconnectAttempts: -1,
          reconnectTimeWait: 1000,
          reconnectJitter: 500,
          // A cut link is noticed within ~10 s even when no TCP reset arrives.
          pingInterval: 5000,
          maxPingOut: 2,
          timeout: 5000,
        });
        this.#nc = nc;
        if (this.#closed) {
          await nc.close();
          throw new Error('nats link closed');
        }
        this.#setUp(true);
        void this.#watch(nc);
        return nc;
      } catch (err) {
        if (this.#closed) throw err;
        const delay = backoff.next();
        this.#log.warn({ err, retryInMs: delay }, 'nats unreachable: the station carries on alone, retrying');
        await new Promise<void>((r) => {
          this.#retry = setTimeout(r, delay);
        });
      }
    }
  }

  static create(opts: { config: NatsLinkConfig; name: string; inboxOwner: string; logger: Logger }): NatsLink {
    return new NatsLink(opts);
  }

  get isUp(): boolean {
    return this.#up;
  }

  get connection(): NatsConnection | null {
    return this.#nc;
  }

  #setUp(up: boolean): void {
    if (this.#up === up) return;
    this.#up = up;
    this.#log.info({ up, server: this.#nc?.getServer() }, up ? 'nats connected' : 'nats disconnected');
    this.emit(up ? 'up' : 'down');
  }

  async #watch(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') this.#setUp(false);
      else if (s.type === 'reconnect') this.#setUp(true);
      else if (s.type === 'error') {
        this.#log.warn({ err: s.error }, 'nats server error');
        this.emit('serverError', s.error);
      }
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#retry) clearTimeout(this.#retry);
    const nc = this.#nc;
    this.#up = false;
    if (nc) await nc.drain().catch(() => nc.close());
  }
}
