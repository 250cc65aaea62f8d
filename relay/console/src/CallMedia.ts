import type { Device, types } from 'mediasoup-client';
// The file itself, not the package index: the index would bundle TypeBox and every schema into the console.
import { IceRecovery, type RecoveryLog } from '@helppoint/shared/runtime';
import type { ConsoleRequestData, ConsoleRequestResult, ConsoleRequestType, MediaKind } from './protocolTypes.ts';

export type RequestFn = <K extends ConsoleRequestType>(type: K, data: ConsoleRequestData<K>) => Promise<ConsoleRequestResult<K>>;
export type MicState = 'off' | 'starting' | 'live' | 'failed';

export interface CallMediaOptions {
  callId: string;
  device: Device;
  request: RequestFn;
  /** Something went wrong with this call's media; the officer sees a toast. */
  onError: (code: string, message: string) => void;
  /** Tracks or mic state changed: the card re-reads them. */
  onChange: () => void;
}

export interface MediaTarget {
  producers: readonly { id: string; kind: MediaKind }[];
  sendMic: boolean;
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'rtc_failed';
}
function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * One call's media on this console: a receive transport carrying the
 * terminal's camera and microphone (from the moment it rings) and, once this
 * officer answers, a send transport carrying the officer's microphone.
 * All changes run one after another on a queue, so overlapping call.updated
 * events never race each other into duplicate transports.
 */
export class CallMedia {
  readonly callId: string;
  readonly #device: Device;
  readonly #request: RequestFn;
  readonly #onError: CallMediaOptions['onError'];
  readonly #onChange: CallMediaOptions['onChange'];
  #recv: types.Transport | null = null;
  #send: types.Transport | null = null;
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
  readonly #recovery: { send: IceRecovery; recv: IceRecovery };

  constructor(opts: CallMediaOptions) {
    this.callId = opts.callId;
    this.#device = opts.device;
    this.#request = opts.request;
    this.#onError = opts.onError;
    this.#onChange = opts.onChange;
    const log = callLog(opts.callId);
    this.#recovery = {
      recv: this.#newRecovery('recv', log),
      send: this.#newRecovery('send', log),
    };
  }

  /**
   * A network fault (ICE disconnected for a while, or failed) is recovered
   * without the officer doing anything: ICE restart, then a re-join. The
   * officer only hears of it (a toast) if every re-join failed.
   */
  #newRecovery(direction: 'send' | 'recv', log: RecoveryLog): IceRecovery {
    const recovery = new IceRecovery({
      label: direction,
      log,
      restartIce: async () => {
        const transport = direction === 'send' ? this.#send : this.#recv;
        if (!transport || transport.closed) throw new Error('no transport to restart');
        const { iceParameters } = await this.#request('rtc.restartIce', { transportId: transport.id });
        await transport.restartIce({ iceParameters: iceParameters as unknown as types.IceParameters });
        log.info({ transportId: transport.id, direction }, "ICE restarted with the relay's new parameters");
      },
      rejoin: () => this.#enqueueOrThrow(() => (direction === 'send' ? this.#rejoinSend(log) : this.#rejoinRecv(log))),
      giveUp: () => {
        if (!this.#closed) this.#onError('rtc_failed', `${direction} media could not be recovered`);
      },
    });
    return recovery;
  }

  async #rejoinRecv(log: RecoveryLog): Promise<void> {
    for (const consumer of this.#consumers.values()) consumer.close();
    this.#consumers.clear();
    this.#failed.clear();
    this.#recv?.close();
    this.#recv = null;
    this.#onChange();
    log.warn({ producers: this.#target?.producers.length ?? 0 }, 're-joining: new receive transport, consuming the call again');
    if (this.#target) await this.#sync(this.#target);
    if (!this.#consumers.size) this.#recovery.recv.reset(); // nothing to receive yet: the next update builds it
  }

  async #rejoinSend(log: RecoveryLog): Promise<void> {
    this.#micProducer?.close();
    this.#micProducer = null;
    this.#send?.close();
    this.#send = null;
    const track = this.#mic;
    log.warn({ mic: this.#micState }, 're-joining: new send transport, microphone produced again');
    if (!track || this.#micState !== 'live') return this.#recovery.send.reset();
    await this.#produceMic(track);
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

  /** Tries the microphone again after it failed (e.g. the officer granted permission). */
  retryMic(): void {
    if (this.#micState !== 'failed') return;
    this.#micState = 'off';
    this.#onChange();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#recovery.send.close();
    this.#recovery.recv.close();
    for (const consumer of this.#consumers.values()) consumer.close();
    this.#consumers.clear();
    this.#micProducer?.close();
    this.#micProducer = null;
    this.#mic?.stop();
    this.#mic = null;
    this.#send?.close();
    this.#recv?.close();
    this.#send = null;
    this.#recv = null;
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

    for (const producer of target.producers) {
      if (this.#closed) return;
      if (this.#consumers.has(producer.id) || this.#failed.has(producer.id)) continue;
      try {
        await this.#consume(producer.id);
      } catch (error) {
        this.#failed.add(producer.id);
        if (!this.#closed) this.#onError(codeOf(error), `${producer.kind}: ${messageOf(error)}`);
      }
    }

    if (target.sendMic && this.#micState === 'off' && !this.#closed) await this.#startMic();
  }

  async #recvTransport(): Promise<types.Transport> {
    if (this.#recv && !this.#recv.closed) return this.#recv;
    const options = await this.#request('rtc.createTransport', { direction: 'recv', callId: this.callId });
    if (this.#closed) throw new Error('closed');
    const transport = this.#device.createRecvTransport(options as unknown as types.TransportOptions);
    this.#wireTransport(transport);
    this.#recv = transport;
    return transport;
  }

  async #sendTransport(): Promise<types.Transport> {
    if (this.#send && !this.#send.closed) return this.#send;
    const options = await this.#request('rtc.createTransport', { direction: 'send', callId: this.callId });
    if (this.#closed) throw new Error('closed');
    const transport = this.#device.createSendTransport(options as unknown as types.TransportOptions);
    this.#wireTransport(transport);
    transport.on('produce', ({ kind, rtpParameters }, callback, errback) => {
      this.#request('rtc.produce', {
        transportId: transport.id,
        kind,
        rtpParameters: rtpParameters as unknown as Record<string, unknown>,
        callId: this.callId,
      }).then(
        ({ producerId }) => callback({ id: producerId }),
        (error: unknown) => errback(error instanceof Error ? error : new Error(String(error))),
      );
    });
    this.#send = transport;
    return transport;
  }

  #wireTransport(transport: types.Transport): void {
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.#request('rtc.connectTransport', {
        transportId: transport.id,
        dtlsParameters: dtlsParameters as unknown as Record<string, unknown>,
      }).then(
        () => callback(),
        (error: unknown) => errback(error instanceof Error ? error : new Error(String(error))),
      );
    });
    transport.on('connectionstatechange', (state) => {
      if (this.#closed) return;
      // Only the transport in use drives recovery; a replaced one may still report its end.
      if (transport === (transport.direction === 'send' ? this.#send : this.#recv)) this.#recovery[transport.direction].stateChanged(state);
    });
  }

  async #consume(producerId: string): Promise<void> {
    const transport = await this.#recvTransport();
    const options = await this.#request('rtc.consume', {
      transportId: transport.id,
      producerId,
      rtpCapabilities: this.#device.recvRtpCapabilities as unknown as Record<string, unknown>,
    });
    if (this.#closed) return;
    const consumer = await transport.consume({
      id: options.id,
      producerId: options.producerId,
      kind: options.kind,
      rtpParameters: options.rtpParameters as unknown as types.RtpParameters,
    });
    if (this.#closed) {
      consumer.close();
      return;
    }
    this.#consumers.set(producerId, consumer);
    const forget = (): void => {
      if (this.#consumers.get(producerId) === consumer) {
        this.#consumers.delete(producerId);
        this.#onChange();
      }
    };
    consumer.on('transportclose', forget);
    consumer.on('trackended', forget);
    // The relay creates consumers paused; resume only once the track is attached locally.
    this.#onChange();
    await this.#request('rtc.resumeConsumer', { consumerId: consumer.id });
  }

  /** The officer's microphone on the send transport (at answer, and again at each re-join). */
  async #produceMic(track: MediaStreamTrack): Promise<void> {
    const transport = await this.#sendTransport();
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
