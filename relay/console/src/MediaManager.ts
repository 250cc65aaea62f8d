import { Device } from 'mediasoup-client';
import type { types } from 'mediasoup-client';
import { CallMedia, type RequestFn } from './CallMedia.ts';
import type { MediaWant } from './selectors.ts';

export interface MediaManagerOptions {
  request: RequestFn;
  onError: (callId: string, code: string, message: string) => void;
  onChange: () => void;
}

/**
 * Keeps one CallMedia per call that should have media (see selectors.mediaPlan)
 * and closes the rest. A new Device is loaded on every hello, because a
 * reconnect means the relay has dropped every transport of the old socket.
 */
export class MediaManager {
  readonly #opts: MediaManagerOptions;
  readonly #calls = new Map<string, CallMedia>();
  #device: Device | null = null;
  #loading: Promise<void> | null = null;
  #lastPlan: readonly MediaWant[] = [];

  constructor(opts: MediaManagerOptions) {
    this.#opts = opts;
  }

  get(callId: string): CallMedia | undefined {
    return this.#calls.get(callId);
  }

  /** Loads a fresh Device for the relay's router capabilities, then applies the last plan. */
  load(routerRtpCapabilities: Record<string, unknown>): void {
    this.closeAll();
    this.#device = null;
    const device = new Device();
    const loading = device
      .load({ routerRtpCapabilities: routerRtpCapabilities as unknown as types.RtpCapabilities })
      .then(() => {
        if (this.#loading !== loading) return;
        this.#device = device;
        this.#loading = null;
        this.reconcile(this.#lastPlan);
      })
      .catch((error: unknown) => {
        if (this.#loading === loading) this.#loading = null;
        this.#opts.onError('', 'rtc_failed', `this browser cannot use the relay's codecs: ${error instanceof Error ? error.message : String(error)}`);
      });
    this.#loading = loading;
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
          onError: (code, message) => this.#opts.onError(want.callId, code, message),
          onChange: this.#opts.onChange,
        });
        this.#calls.set(want.callId, media);
      }
      media.sync({ producers: want.producers, sendMic: want.sendMic });
    }
  }

  closeAll(): void {
    for (const media of this.#calls.values()) media.close();
    this.#calls.clear();
  }

  /** Forgets everything, e.g. on logout. */
  reset(): void {
    this.closeAll();
    this.#device = null;
    this.#loading = null;
    this.#lastPlan = [];
  }
}
