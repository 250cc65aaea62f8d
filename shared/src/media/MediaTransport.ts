// Runtime code the browser console imports too: nothing here may pull in TypeBox or Node.
import type { types } from 'mediasoup-client';
import { IceRecovery, type IceRecoveryOptions, type RecoveryLog } from '../iceRecovery.ts';

/** What the relay answers to rtc.createTransport (the wire schema lives in protocol/rtc.ts). */
export interface TransportParams {
  id: string;
  iceParameters: unknown;
  iceCandidates: unknown[];
  dtlsParameters: unknown;
}

/** The signalling one transport needs; the owner binds it to a call, or to none (a warm transport). */
export interface TransportSignal {
  create(): Promise<TransportParams>;
  connect(transportId: string, dtlsParameters: types.DtlsParameters): Promise<void>;
  restartIce(transportId: string): Promise<types.IceParameters>;
  /** Send transports: the relay's producer id for a new local producer. */
  produce?(transportId: string, kind: 'audio' | 'video', rtpParameters: types.RtpParameters): Promise<string>;
}

export type RecoveryTimings = Pick<IceRecoveryOptions, 'graceMs' | 'connectTimeoutMs' | 'maxRejoins' | 'backoff'>;

export interface MediaTransportOptions {
  device: types.Device;
  direction: 'send' | 'recv';
  signal: TransportSignal;
  log: RecoveryLog;
  recovery?: RecoveryTimings;
  /**
   * Runs a re-join on the owner's queue, so it never interleaves with the
   * owner's own start / stop work on the same transport.
   */
  serialize: (job: () => Promise<void>) => Promise<void>;
  /** A fresh transport replaced a broken one: put the producers / consumers back on it. */
  repopulate: (transport: types.Transport) => Promise<void>;
  /** Every re-join failed; the owner decides (the kiosk ends a call as media_failed). */
  giveUp: () => void;
  onState?: (state: types.ConnectionState) => void;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * One direction of a peer's media link to the relay, kept usable for as long
 * as its owner wants it: created on first use, connected (ICE + DTLS) by the
 * first producer or consumer, restarted (ICE) or rebuilt (re-join) by itself
 * when the network breaks. The kiosk's MediaSession and the console's media
 * both hold their transports through this, so set-up, teardown and recovery
 * are written once; what differs (what to put back after a re-join, what to
 * do when recovery gives up) is passed in.
 */
export class MediaTransport {
  readonly direction: 'send' | 'recv';
  readonly #opts: MediaTransportOptions;
  readonly #recovery: IceRecovery;
  #current: types.Transport | null = null;
  #opening: Promise<types.Transport> | null = null;
  #closed = false;

  constructor(opts: MediaTransportOptions) {
    this.#opts = opts;
    this.direction = opts.direction;
    this.#recovery = new IceRecovery({
      ...opts.recovery,
      label: opts.direction,
      log: opts.log,
      restartIce: async () => {
        const transport = this.#current;
        if (!transport || transport.closed) throw new Error('no transport to restart');
        const iceParameters = await opts.signal.restartIce(transport.id);
        await transport.restartIce({ iceParameters });
        opts.log.info({ transportId: transport.id, direction: this.direction }, "ICE restarted with the relay's new parameters");
      },
      rejoin: () => opts.serialize(() => this.#rejoin()),
      giveUp: () => {
        if (!this.#closed) opts.giveUp();
      },
    });
  }

  /** The transport now in use, if any. */
  get current(): types.Transport | null {
    return this.#current && !this.#current.closed ? this.#current : null;
  }
  get closed(): boolean {
    return this.#closed;
  }
  get connectionState(): types.ConnectionState | null {
    return this.current?.connectionState ?? null;
  }
  get restarts(): number {
    return this.#recovery.restarts;
  }
  get rejoins(): number {
    return this.#recovery.rejoins;
  }
  get recoveryPhase(): string {
    return this.#recovery.phase;
  }

  /** The transport, created if there is none (concurrent callers share one creation). */
  open(): Promise<types.Transport> {
    if (this.#closed) return Promise.reject(new Error('media transport closed'));
    const current = this.current;
    if (current) return Promise.resolve(current);
    this.#opening ??= this.#create().finally(() => (this.#opening = null));
    return this.#opening;
  }

  /** Nothing to carry right now: recovery starts afresh with the next use. */
  resetRecovery(): void {
    this.#recovery.reset();
  }

  /** Drops the transport (the relay lost it, e.g. a new signalling connection) without closing this object. */
  discard(): void {
    const old = this.#current;
    this.#current = null;
    this.#recovery.reset();
    old?.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#recovery.close();
    this.#current?.close();
    this.#current = null;
  }

  async #create(): Promise<types.Transport> {
    const { device, signal } = this.#opts;
    const params = await signal.create();
    if (this.#closed) throw new Error('media transport closed');
    const options = params as types.TransportOptions;
    const transport = this.direction === 'send' ? device.createSendTransport(options) : device.createRecvTransport(options);
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      signal.connect(transport.id, dtlsParameters).then(
        () => callback(),
        (error: unknown) => errback(asError(error)),
      );
    });
    if (this.direction === 'send') {
      transport.on('produce', ({ kind, rtpParameters }, callback, errback) => {
        if (!signal.produce) return errback(new Error('this transport cannot produce'));
        signal.produce(transport.id, kind, rtpParameters).then(
          (id) => callback({ id }),
          (error: unknown) => errback(asError(error)),
        );
      });
    }
    transport.on('connectionstatechange', (state) => {
      // Only the transport in use drives recovery; a replaced one may still report its end.
      if (this.#closed || this.#current !== transport) return;
      this.#opts.onState?.(state);
      this.#recovery.stateChanged(state);
    });
    this.#current = transport;
    return transport;
  }

  async #rejoin(): Promise<void> {
    if (this.#closed) return;
    const old = this.#current;
    this.#current = null;
    old?.close();
    this.#opts.log.warn({ direction: this.direction, oldTransportId: old?.id ?? null }, 're-joining: a new transport replaces the broken one');
    const fresh = await this.open();
    await this.#opts.repopulate(fresh);
  }
}
