import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import { keyFrameOptions } from './keyFrames.ts';
import { FreezeWatch } from './FreezeWatch.ts';
import { AppError, ErrorCode } from '@helppoint/shared';
import type { PoolSlot } from './WorkerPool.ts';

/** Bits per second one peer may send into the relay on one transport. */
export const MAX_INCOMING_BITRATE = 3_000_000;

export interface TransportInfo {
  id: string;
  iceParameters: Record<string, unknown>;
  iceCandidates: Record<string, unknown>[];
  dtlsParameters: Record<string, unknown>;
}

/**
 * The media side of one signalling connection (a terminal or a console): the
 * transports, producers and consumers it created. A peer can only touch its
 * own objects; closing the peer closes them all, which in turn closes every
 * consumer of its producers on the relay.
 */
export class MediaPeer {
  readonly #transports = new Map<string, { transport: types.WebRtcTransport; callId: string | undefined }>();
  readonly #producers = new Map<string, types.Producer>();
  readonly #consumers = new Map<string, types.Consumer>();
  /** Resumed video consumers whose picture is watched for a freeze (FreezeWatch.ts). */
  readonly #freezeWatched = new Set<string>();
  /** The call each consumer carries, for consumers on a warm transport (which belongs to no call). */
  readonly #consumerCall = new Map<string, string>();
  readonly #log: Logger;
  #closed = false;

  constructor(opts: { logger: Logger }) {
    this.#log = opts.logger;
  }

  async createTransport(slot: PoolSlot, direction: 'send' | 'recv', callId: string | undefined): Promise<TransportInfo> {
    this.#assertOpen();
    const transport = await slot.router.createWebRtcTransport({
      webRtcServer: slot.webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: 1_000_000,
      appData: { direction, callId },
    });
    if (this.#closed) {
      transport.close();
      throw new AppError(ErrorCode.Disconnected, 'peer closed');
    }
    // Ingress cap: senders are told (REMB / transport-cc) to stay under it, which also bounds how fast
    // a recording can grow on disk. A terminal's 720p VP8 plus opus fits well within it.
    await transport.setMaxIncomingBitrate(MAX_INCOMING_BITRATE).catch((err: unknown) => this.#log.warn({ err }, 'could not cap incoming bitrate'));
    this.#replaceForRejoin(callId, direction, transport.id);
    this.#transports.set(transport.id, { transport, callId });
    transport.on('dtlsstatechange', (state) => {
      if (state === 'failed' || state === 'closed') this.#log.warn({ transportId: transport.id, state }, 'transport DTLS ended');
    });
    transport.on('icestatechange', (state) => this.#log.debug({ transportId: transport.id, state }, 'transport ICE state'));
    transport.observer.on('close', () => this.#transports.delete(transport.id));
    return {
      id: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    };
  }

  /**
   * A peer re-joining after a network fault asks for a new transport of the
   * same call and direction (or a new warm one: no call): the old one is dead,
   * so it is closed, and with it its producers (the call publishes their
   * removal) and consumers.
   */
  #replaceForRejoin(callId: string | undefined, direction: 'send' | 'recv', newId: string): void {
    for (const { transport, callId: c } of [...this.#transports.values()]) {
      if (c !== callId || (transport.appData as { direction?: string }).direction !== direction) continue;
      this.#log.warn({ callId, direction, oldTransportId: transport.id, transportId: newId, iceState: transport.iceState }, 'transport re-joined: closing the old one');
      transport.close();
    }
  }

  /** New ICE credentials on the relay's side; the peer restarts its ICE agent with them. */
  async restartIce(transportId: string): Promise<Record<string, unknown>> {
    const { transport, callId } = this.#transport(transportId);
    const iceParameters = await rtc(() => transport.restartIce());
    this.#log.warn({ callId, transportId, iceState: transport.iceState }, 'ICE restarted at the peer\'s request');
    return iceParameters;
  }

  async connectTransport(transportId: string, dtlsParameters: Record<string, unknown>): Promise<void> {
    const { transport } = this.#transport(transportId);
    await rtc(() => transport.connect({ dtlsParameters: dtlsParameters as types.DtlsParameters }));
  }

  /**
   * Never created paused, a terminal's standing producer neither: resuming a
   * video producer makes mediasoup ask the camera for a keyframe at once,
   * before any console can use it, and that request holds back the console's
   * own (see keyFrames.ts). An idle terminal sends nothing, and a producer
   * outside a call has no consumers (security/MediaAuthorisation), so nothing
   * flows.
   */
  async produce(transportId: string, kind: 'audio' | 'video', rtpParameters: Record<string, unknown>, appData: Record<string, unknown>): Promise<types.Producer> {
    const { transport } = this.#transport(transportId);
    const producer = await rtc(() => transport.produce({ kind, rtpParameters: rtpParameters as types.RtpParameters, appData, ...keyFrameOptions(kind) }));
    this.#producers.set(producer.id, producer);
    producer.observer.on('close', () => this.#producers.delete(producer.id));
    if (kind === 'video' && this.#log.isLevelEnabled('debug')) this.#traceKeyFrames(producer);
    return producer;
  }

  /**
   * At debug level: every keyframe request the worker sends the camera and every keyframe it gets back,
   * so a slow first picture can be put on a timeline (who asked, when, and what the delay held back).
   */
  #traceKeyFrames(producer: types.Producer): void {
    const log = this.#log.child({ producerId: producer.id });
    producer.on('trace', (t) => {
      if (t.type === 'keyframe') log.debug({ direction: t.direction }, 'keyframe from the camera');
      else log.debug({ type: t.type, direction: t.direction }, 'keyframe request to the camera');
    });
    void producer.enableTraceEvent(['pli', 'fir', 'keyframe']).catch(() => undefined);
  }

  async consume(slot: PoolSlot, transportId: string, producerId: string, rtpCapabilities: Record<string, unknown>, callId?: string) {
    const { transport } = this.#transport(transportId);
    const caps = rtpCapabilities as types.RtpCapabilities;
    let can: boolean;
    try {
      can = slot.router.canConsume({ producerId, rtpCapabilities: caps });
    } catch {
      can = false;
    }
    if (!can) throw new AppError(ErrorCode.CannotConsume, `cannot consume producer ${producerId} with these capabilities`);
    // Paused until the peer says it is ready, so the first keyframe is not wasted.
    const consumer = await rtc(() => transport.consume({ producerId, rtpCapabilities: caps, paused: true }));
    this.#consumers.set(consumer.id, consumer);
    if (callId !== undefined) this.#consumerCall.set(consumer.id, callId);
    this.#log.debug({ callId, consumerId: consumer.id, producerId, kind: consumer.kind }, 'consumer created (paused)');
    consumer.observer.on('close', () => {
      this.#consumers.delete(consumer.id);
      this.#consumerCall.delete(consumer.id);
    });
    return {
      id: consumer.id,
      producerId,
      kind: consumer.kind,
      rtpParameters: consumer.rtpParameters,
    };
  }

  /**
   * A consumer of the slot's beacon (a producer that never sends) on a warm
   * receive transport: consuming it makes the peer connect the transport now.
   * It stays paused for the transport's life.
   */
  async warmUp(slot: PoolSlot, transportId: string, rtpCapabilities: Record<string, unknown>) {
    const { transport } = this.#transport(transportId);
    if ((transport.appData as { direction?: string }).direction !== 'recv') throw new AppError(ErrorCode.BadMessage, 'only a receive transport is warmed up');
    const consumer = await rtc(() =>
      transport.consume({ producerId: slot.beacon.id, rtpCapabilities: rtpCapabilities as unknown as types.RtpCapabilities, paused: true, appData: { beacon: true } }),
    );
    return { id: consumer.id, producerId: slot.beacon.id, kind: consumer.kind, rtpParameters: consumer.rtpParameters as unknown as Record<string, unknown> };
  }

  async resumeConsumer(consumerId: string): Promise<{ producerId: string; kind: types.MediaKind }> {
    const consumer = this.#consumers.get(consumerId);
    if (!consumer) throw new AppError(ErrorCode.ConsumerNotFound, `no consumer ${consumerId} on this connection`);
    // Resuming a video consumer makes mediasoup ask the camera for a keyframe,
    // spaced by the producer's keyFrameRequestDelay (keyFrames.ts): asking here
    // as well would only cost the sender a second keyframe 360 ms later.
    await consumer.resume();
    if (consumer.kind === 'video' && !this.#freezeWatched.has(consumer.id)) {
      const watch = new FreezeWatch(consumer, this.#log.child({ callId: this.#consumerCall.get(consumerId) }));
      this.#freezeWatched.add(consumer.id);
      consumer.observer.once('close', () => {
        watch.stop();
        this.#freezeWatched.delete(consumer.id);
      });
    }
    this.#log.debug({ callId: this.#consumerCall.get(consumerId), consumerId, kind: consumer.kind }, 'consumer resumed');
    return { producerId: consumer.producerId, kind: consumer.kind };
  }

  /** Closes everything this peer made for one call (the call ended). */
  closeCall(callId: string): void {
    for (const { transport, callId: c } of [...this.#transports.values()]) if (c === callId) transport.close();
    // A terminal's standing producers outlive the call: consumers of them on a warm transport must not
    // carry the terminal's next call to whoever watched this one.
    for (const [id, c] of [...this.#consumerCall]) if (c === callId) this.#consumers.get(id)?.close();
  }

  get transportCount(): number {
    return this.#transports.size;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const { transport } of [...this.#transports.values()]) transport.close();
    this.#transports.clear();
  }

  #transport(id: string) {
    this.#assertOpen();
    const t = this.#transports.get(id);
    if (!t) throw new AppError(ErrorCode.TransportNotFound, `no transport ${id} on this connection`);
    return t;
  }

  #assertOpen(): void {
    if (this.#closed) throw new AppError(ErrorCode.Disconnected, 'peer closed');
  }
}

/** mediasoup throws TypeError for bad parameters: that is the peer's fault, not ours. */
async function rtc<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof AppError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new AppError(ErrorCode.RtcFailed, message);
  }
}
