import type { Device, types } from 'mediasoup-client';
import { MediaTransport, type RecoveryLog, type TransportSignal } from '@helppoint/shared/runtime';
import type { ConsoleRequestData, ConsoleRequestResult, ConsoleRequestType, MediaKind } from './protocolTypes.ts';

export type RequestFn = <K extends ConsoleRequestType>(type: K, data: ConsoleRequestData<K>) => Promise<ConsoleRequestResult<K>>;
export type MicState = 'off' | 'starting' | 'live' | 'failed';

export interface CallMediaOptions {
  callId: string;
  device: Device;
  request: RequestFn;
  /**
   * The console's warm receive transport (MediaManager keeps it connected while signed in). Without one
   * (the responder's phone, a district officer at a station) the call gets a receive transport of its own.
   */
  recv?: () => Promise<types.Transport>;
  /** Something went wrong with this call's media; the officer sees a toast. */
  onError: (code: string, message: string) => void;
  /** Tracks or mic state changed: the card re-reads them. */
  onChange: () => void;
}

export interface MediaTarget {
  producers: readonly { id: string; kind: MediaKind }[];
  sendMic: boolean;
  /**
   * The relay offers this call's consumers as it rings (rtc.consumersOffered, on the warm receive
   * transport): wait up to OFFER_WAIT_MS for them before asking with rtc.consume.
   */
  offers?: boolean;
}

/** A consumer the relay made for this console (rtc.consumersOffered) or returned from rtc.consume. */
export interface ConsumerOffer {
  id: string;
  producerId: string;
  kind: MediaKind;
  rtpParameters: Record<string, unknown>;
}

/**
 * How long a ringing call waits for the relay's offer before the console asks itself. The offer
 * follows the ring within milliseconds; this only covers an offer that never comes (the relay could
 * not make it, or the warm transport was rebuilt in between).
 */
export const OFFER_WAIT_MS = 1_000;

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'rtc_failed';
}
function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The rtc.* requests one transport needs, bound to a call (callId) or to none (the warm receive transport). */
export function transportSignal(request: RequestFn, direction: 'send' | 'recv', callId?: string): TransportSignal {
  return {
    create: () => request('rtc.createTransport', callId === undefined ? { direction } : { direction, callId }),
    connect: async (transportId, dtlsParameters) => {
      await request('rtc.connectTransport', { transportId, dtlsParameters: dtlsParameters as Record<string, unknown> });
    },
    restartIce: async (transportId) => (await request('rtc.restartIce', { transportId })).iceParameters as types.IceParameters,
    produce: async (transportId, kind, rtpParameters) =>
      (await request('rtc.produce', { transportId, kind, rtpParameters: rtpParameters as Record<string, unknown>, ...(callId ? { callId } : {}) })).producerId,
  };
}

/**
 * One call's media on this console: consumers of the terminal's camera and
 * microphone (from the moment it rings) on the console's warm receive
 * transport, and, once this officer answers, a send transport carrying the
 * officer's microphone. All changes run one after another on a queue, so
 * overlapping call.updated events never race each other into duplicates.
 */
export class CallMedia {
  readonly callId: string;
  readonly #device: Device;
  readonly #request: RequestFn;
  readonly #recv: () => Promise<types.Transport>;
  readonly #onError: CallMediaOptions['onError'];
  readonly #onChange: CallMediaOptions['onChange'];
  readonly #send: MediaTransport;
  /** This call's own receive transport, when no warm one was given. */
  readonly #ownRecv: MediaTransport | null = null;
  readonly #consumers = new Map<string, types.Consumer>();
  /** Producers that could not be consumed: not retried on every update. */
  readonly #failed = new Set<string>();
  #mic: MediaStreamTrack | null = null;
  #micProducer: types.Producer | null = null;
  #micState: MicState = 'off';
  #muted = false;
  #queue: Promise<void> = Promise.resolve();
  #closed = false;
  /** What the call needs now: a re-joined receive transport consumes these again. */
  #target: MediaTarget | null = null;
  /** Consumers the relay offered and this console has not built yet, by producer. */
  readonly #offers = new Map<string, ConsumerOffer>();
  /** Until when a ringing call waits for offers (the call rang when this was made). */
  readonly #offerDeadline = Date.now() + OFFER_WAIT_MS;
  #offerTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(opts: CallMediaOptions) {
    this.callId = opts.callId;
    this.#device = opts.device;
    this.#request = opts.request;
    this.#onError = opts.onError;
    this.#onChange = opts.onChange;
    const log = callLog(opts.callId);
    if (opts.recv) {
      this.#recv = opts.recv;
    } else {
      const own: MediaTransport = new MediaTransport({
        device: opts.device,
        direction: 'recv',
        signal: transportSignal(opts.request, 'recv', opts.callId),
        log,
        serialize: (job) => this.#enqueueOrThrow(job),
        repopulate: async () => this.recvReplaced(),
        giveUp: () => {
          if (!this.#closed) this.#onError('rtc_failed', 'receive media could not be recovered');
        },
      });
      this.#ownRecv = own;
      this.#recv = () => own.open();
    }
    // A network fault is recovered without the officer doing anything (ICE
    // restart, then a re-join); they hear of it only if every re-join failed.
    this.#send = new MediaTransport({
      device: opts.device,
      direction: 'send',
      signal: transportSignal(opts.request, 'send', opts.callId),
      log,
      serialize: (job) => this.#enqueueOrThrow(job),
      repopulate: async () => {
        this.#micProducer = null;
        const track = this.#mic;
        log.warn({ mic: this.#micState }, 're-joined: microphone produced again');
        if (!track || this.#micState !== 'live') return this.#send.resetRecovery();
        await this.#produceMic(track);
      },
      giveUp: () => {
        if (!this.#closed) this.#onError('rtc_failed', 'send media could not be recovered');
      },
    });
  }

  /** The warm receive transport was rebuilt after a network fault: consume this call again on it. */
  recvReplaced(): void {
    for (const consumer of this.#consumers.values()) consumer.close();
    this.#consumers.clear();
    this.#failed.clear();
    // Offers were on the old transport.
    this.#offers.clear();
    this.#onChange();
    if (this.#target) this.sync(this.#target);
  }

  get closed(): boolean {
    return this.#closed;
  }
  get micState(): MicState {
    return this.#micState;
  }
  /** The officer muted the microphone: the terminal hears silence, the call stays up. */
  get muted(): boolean {
    return this.#muted;
  }
  setMuted(muted: boolean): void {
    if (muted === this.#muted) return;
    this.#muted = muted;
    if (this.#mic) this.#mic.enabled = !muted;
    this.#onChange();
  }
  get micProducerId(): string | null {
    return this.#micProducer?.id ?? null;
  }
  get consumerCount(): number {
    return this.#consumers.size;
  }
  /** The live tracks of the terminal, by kind. */
  tracks(kind: MediaKind): MediaStreamTrack[] {
    return [...this.#consumers.values()].filter((c) => c.kind === kind && !c.closed).map((c) => c.track);
  }

  /** Brings the media in line with what the call needs now. */
  sync(target: MediaTarget): void {
    this.#target = target;
    this.#enqueue(() => this.#sync(target));
  }

  /** The relay made consumers for this call on the warm receive transport: build them (one negotiation) and resume them. */
  offer(consumers: readonly ConsumerOffer[]): void {
    if (this.#closed) return;
    for (const c of consumers) if (!this.#consumers.has(c.producerId)) this.#offers.set(c.producerId, c);
    if (this.#target) this.sync(this.#target);
  }

  /** Tries the microphone again after it failed (e.g. the officer granted permission). */
  retryMic(): void {
    if (this.#micState !== 'failed') return;
    this.#micState = 'off';
    this.#onChange();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#offerTimer) clearTimeout(this.#offerTimer);
    this.#offerTimer = null;
    this.#offers.clear();
    // The consumers only: the receive transport stays warm for the next call.
    for (const consumer of this.#consumers.values()) consumer.close();
    this.#consumers.clear();
    this.#micProducer?.close();
    this.#micProducer = null;
    this.#mic?.stop();
    this.#mic = null;
    this.#send.close();
    this.#ownRecv?.close();
    this.#micState = 'off';
    this.#onChange();
  }

  /** Like #enqueue, but the caller (recovery) learns whether the job failed. */
  #enqueueOrThrow(job: () => Promise<void>): Promise<void> {
    const run = this.#queue.then(() => (this.#closed ? undefined : job()));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #enqueue(job: () => Promise<void>): void {
    this.#queue = this.#queue.then(async () => {
      if (this.#closed) return;
      try {
        await job();
      } catch (error) {
        if (!this.#closed) this.#onError(codeOf(error), messageOf(error));
      }
    });
  }

  async #sync(target: MediaTarget): Promise<void> {
    const wanted = new Set(target.producers.map((p) => p.id));
    let changed = false;
    for (const [producerId, consumer] of this.#consumers) {
      if (wanted.has(producerId)) continue;
      consumer.close();
      this.#consumers.delete(producerId);
      changed = true;
    }
    if (changed) this.#onChange();

    const missing = () => target.producers.filter((p) => !this.#consumers.has(p.id) && !this.#failed.has(p.id));
    const offered = missing().flatMap((p) => this.#offers.get(p.id) ?? []);
    if (offered.length) await this.#build(offered, true);
    const waitForOffer = target.offers === true && Date.now() < this.#offerDeadline;
    for (const producer of missing()) {
      if (this.#closed) return;
      if (waitForOffer) {
        // The relay's offer is on its way: asking now would make a second consumer of the same camera.
        this.#offerTimer ??= setTimeout(() => {
          this.#offerTimer = null;
          if (this.#target && !this.#closed) this.sync(this.#target);
        }, this.#offerDeadline - Date.now());
        continue;
      }
      try {
        await this.#consume(producer.id);
      } catch (error) {
        this.#failed.add(producer.id);
        if (!this.#closed) this.#onError(codeOf(error), `${producer.kind}: ${messageOf(error)}`);
      }
    }

    if (target.sendMic && this.#micState === 'off' && !this.#closed) await this.#startMic();
  }

  async #consume(producerId: string): Promise<void> {
    const transport = await this.#recv();
    if (this.#closed) return;
    const options = await this.#request('rtc.consume', {
      transportId: transport.id,
      producerId,
      rtpCapabilities: this.#device.recvRtpCapabilities as Record<string, unknown>,
    });
    if (this.#closed) return;
    await this.#build([options], false);
  }

  /**
   * Builds consumers the relay made (paused) and resumes them. Started in the same tick, so
   * mediasoup-client puts them into one SDP negotiation; video is first in the relay's offer. An
   * offered one that cannot be built is dropped from the offers, and the console asks for it itself.
   */
  async #build(list: readonly ConsumerOffer[], offered: boolean): Promise<void> {
    const transport = await this.#recv();
    if (this.#closed) return;
    const built = await Promise.all(
      list.map((o) =>
        transport.consume({ id: o.id, producerId: o.producerId, kind: o.kind, rtpParameters: o.rtpParameters as types.RtpParameters }).then(
          (consumer) => ({ o, consumer }),
          (error: unknown) => {
            if (offered) this.#offers.delete(o.producerId);
            else throw error;
            return null;
          },
        ),
      ),
    );
    const ready: types.Consumer[] = [];
    for (const b of built) {
      if (!b) continue;
      const { o, consumer } = b;
      this.#offers.delete(o.producerId);
      if (this.#closed) {
        consumer.close();
        continue;
      }
      this.#consumers.set(o.producerId, consumer);
      const forget = (): void => {
        if (this.#consumers.get(o.producerId) === consumer) {
          this.#consumers.delete(o.producerId);
          this.#onChange();
        }
      };
      consumer.on('transportclose', forget);
      consumer.on('trackended', forget);
      ready.push(consumer);
    }
    if (!ready.length) return;
    // The relay creates consumers paused; resume once they exist here (their receivers take packets
    // from now on), and before drawing them: the camera's keyframe is on its way while the page renders.
    const resumed = Promise.all(ready.map((c) => this.#request('rtc.resumeConsumer', { consumerId: c.id })));
    this.#onChange();
    await resumed;
  }

  /** The officer's microphone on the send transport (at answer, and again at each re-join). */
  async #produceMic(track: MediaStreamTrack): Promise<void> {
    const transport = await this.#send.open();
    if (this.#closed) return;
    const producer = await transport.produce({ track, stopTracks: false, codecOptions: { opusDtx: true, opusFec: true } });
    if (this.#closed) {
      producer.close();
      return;
    }
    this.#micProducer = producer;
    this.#micState = 'live';
    producer.on('trackended', () => {
      this.#micState = 'failed';
      this.#onError('mic_unavailable', 'the microphone stopped');
      this.#onChange();
    });
    this.#onChange();
  }

  async #startMic(): Promise<void> {
    this.#micState = 'starting';
    this.#onChange();
    try {
      if (!navigator.mediaDevices?.getUserMedia) {
        throw Object.assign(new Error('this page is not a secure context (HTTPS or localhost), so the browser offers no microphone'), { code: 'mic_unavailable' });
      }
      let stream: MediaStream;
      try {
        stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true }, video: false });
      } catch (error) {
        throw Object.assign(new Error(messageOf(error)), { code: 'mic_unavailable' });
      }
      const track = stream.getAudioTracks()[0];
      if (!track) throw Object.assign(new Error('no audio track'), { code: 'mic_unavailable' });
      if (this.#closed) {
        track.stop();
        return;
      }
      this.#mic = track;
      track.enabled = !this.#muted;
      await this.#produceMic(track);
    } catch (error) {
      this.#mic?.stop();
      this.#mic = null;
      if (this.#closed) return;
      this.#micState = 'failed';
      this.#onChange();
      throw error;
    }
  }
}

/** The browser's console, with the call in every line (the relay's logs carry the same callId). */
function callLog(callId: string): RecoveryLog {
  return {
    info: (obj, msg) => console.info(`[call ${callId}] ${msg}`, obj),
    warn: (obj, msg) => console.warn(`[call ${callId}] ${msg}`, obj),
  };
}
