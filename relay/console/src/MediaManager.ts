import { Device } from 'mediasoup-client';
import type { types } from 'mediasoup-client';
import { MediaTransport } from '@helppoint/shared/runtime';
import { CallMedia, transportSignal, type ConsumerOffer, type RequestFn } from './CallMedia.ts';
import type { MediaWant } from './selectors.ts';

export interface MediaManagerOptions {
  request: RequestFn;
  onError: (callId: string, code: string, message: string) => void;
  onChange: () => void;
}

const log = {
  info: (obj: object, msg: string) => console.info(`[media] ${msg}`, obj),
  warn: (obj: object, msg: string) => console.warn(`[media] ${msg}`, obj),
};

/**
 * Keeps one CallMedia per call that should have media (see selectors.mediaPlan)
 * and closes the rest. A new Device is loaded on every hello, because a
 * reconnect means the relay has dropped every transport of the old socket.
 *
 * While signed in, the console holds one warm receive transport, connected
 * (ICE + DTLS) at hello on a consumer of the relay's never-sending beacon:
 * a ring then only adds consumers to it (issue 15).
 */
export class MediaManager {
  readonly #opts: MediaManagerOptions;
  readonly #calls = new Map<string, CallMedia>();
  #device: Device | null = null;
  #loading: Promise<void> | null = null;
  #lastPlan: readonly MediaWant[] = [];
  #recv: MediaTransport | null = null;
  /** The warm receive transport once connected (or being connected). */
  #recvReady: Promise<types.Transport> | null = null;
  /** The relay knows the warm transport (rtc.warmUp answered): it offers each ringing call's consumers on it. */
  #warmedUp = false;
  #queue: Promise<void> = Promise.resolve();

  constructor(opts: MediaManagerOptions) {
    this.#opts = opts;
  }

  get(callId: string): CallMedia | undefined {
    return this.#calls.get(callId);
  }

  /** The warm receive transport's connection state (the duty desk and tests read it). */
  get receiveState(): string | null {
    return this.#recv?.connectionState ?? null;
  }

  /** Loads a fresh Device for the relay's router capabilities, warms the receive transport, then applies the last plan. */
  load(routerRtpCapabilities: Record<string, unknown>): void {
    this.closeAll();
    this.#dropRecv();
    this.#device = null;
    const device = new Device();
    const loading = device
      .load({ routerRtpCapabilities: routerRtpCapabilities as types.RtpCapabilities })
      .then(() => {
        if (this.#loading !== loading) return;
        this.#device = device;
        this.#loading = null;
        this.#recv = this.#newRecv(device);
        this.#warmRecv().catch((error: unknown) => log.warn({ error: String(error) }, 'could not warm the receive transport; the first call will'));
        this.reconcile(this.#lastPlan);
      })
      .catch((error: unknown) => {
        if (this.#loading === loading) this.#loading = null;
        this.#opts.onError('', 'rtc_failed', `this browser cannot use the relay's codecs: ${error instanceof Error ? error.message : String(error)}`);
      });
    this.#loading = loading;
  }

  #newRecv(device: Device): MediaTransport {
    const recv: MediaTransport = new MediaTransport({
      device,
      direction: 'recv',
      signal: transportSignal(this.#opts.request, 'recv'),
      log,
      serialize: (job) => {
        const run = this.#queue.then(job);
        this.#queue = run.catch(() => undefined);
        return run;
      },
      repopulate: async (transport) => {
        this.#recvReady = this.#warmUp(transport).then(() => transport);
        await this.#recvReady;
        for (const media of this.#calls.values()) media.recvReplaced();
      },
      giveUp: () => {
        if (this.#recv !== recv) return;
        this.#opts.onError('', 'rtc_failed', 'the receive link to the relay could not be recovered');
        // A fresh one for the next call (recovery starts over with it).
        this.#dropRecv();
        if (this.#device) this.#recv = this.#newRecv(this.#device);
      },
    });
    return recv;
  }

  /** The receive transport, connected through a consumer of the beacon; shared by concurrent callers. */
  #warmRecv(): Promise<types.Transport> {
    const recv = this.#recv;
    if (!recv) return Promise.reject(new Error('no media device yet'));
    this.#recvReady ??= recv
      .open()
      .then(async (transport) => {
        await this.#warmUp(transport);
        return transport;
      })
      .catch((error: unknown) => {
        this.#recvReady = null;
        throw error;
      });
    return this.#recvReady;
  }

  async #warmUp(transport: types.Transport): Promise<void> {
    const device = this.#device;
    if (!device) throw new Error('no media device');
    this.#warmedUp = false;
    const options = await this.#opts.request('rtc.warmUp', {
      transportId: transport.id,
      rtpCapabilities: device.recvRtpCapabilities as Record<string, unknown>,
    });
    // Stays paused: it only makes the transport connect now rather than at the first ring.
    await transport.consume({ id: options.id, producerId: options.producerId, kind: options.kind, rtpParameters: options.rtpParameters as types.RtpParameters });
    this.#warmedUp = true;
  }

  #dropRecv(): void {
    this.#warmedUp = false;
    this.#recv?.close();
    this.#recv = null;
    this.#recvReady = null;
  }

  reconcile(plan: readonly MediaWant[]): void {
    this.#lastPlan = plan;
    const wanted = new Map(plan.map((w) => [w.callId, w]));
    for (const [callId, media] of this.#calls) {
      if (!wanted.has(callId)) {
        media.close();
        this.#calls.delete(callId);
      }
    }
    const device = this.#device;
    if (!device) return;
    for (const want of plan) {
      let media = this.#calls.get(want.callId);
      if (!media) {
        media = new CallMedia({
          callId: want.callId,
          device,
          request: this.#opts.request,
          recv: () => this.#warmRecv(),
          onError: (code, message) => this.#opts.onError(want.callId, code, message),
          onChange: this.#opts.onChange,
        });
        this.#calls.set(want.callId, media);
      }
      media.sync({ producers: want.producers, sendMic: want.sendMic, offers: want.ringing && this.#warmedUp });
    }
  }

  /** The relay made a ringing call's consumers on the warm receive transport (rtc.consumersOffered). */
  offer(callId: string, consumers: readonly ConsumerOffer[]): void {
    const media = this.#calls.get(callId);
    if (media) media.offer(consumers);
    // No media for that call (it ended, or this console does not preview it): they stay paused on the relay and close with the call.
    else log.info({ callId, consumers: consumers.length }, 'offered consumers for a call without media here: left paused');
  }

  closeAll(): void {
    for (const media of this.#calls.values()) media.close();
    this.#calls.clear();
  }

  /** Forgets everything, e.g. on logout. */
  reset(): void {
    this.closeAll();
    this.#dropRecv();
    this.#device = null;
    this.#loading = null;
    this.#lastPlan = [];
  }
}
