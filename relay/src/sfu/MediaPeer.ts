import type { types } from 'mediasoup';
import type { Logger } from 'pino';
import { AppError, ErrorCode } from '@helppoint/shared';
import type { PoolSlot } from './WorkerPool.ts';

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
    if (callId !== undefined) this.#replaceForRejoin(callId, direction, transport.id);
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
   * same call and direction: the old one is dead, so it is closed, and with
   * it its producers (the call publishes their removal) and consumers.
   */
  #replaceForRejoin(callId: string, direction: 'send' | 'recv', newId: string): void {
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

  async produce(transportId: string, kind: 'audio' | 'video', rtpParameters: Record<string, unknown>, appData: Record<string, unknown>): Promise<types.Producer> {
    const { transport } = this.#transport(transportId);
    const producer = await rtc(() => transport.produce({ kind, rtpParameters: rtpParameters as types.RtpParameters, appData }));
    this.#producers.set(producer.id, producer);
    producer.observer.on('close', () => this.#producers.delete(producer.id));
    return producer;
  }

  async consume(slot: PoolSlot, transportId: string, producerId: string, rtpCapabilities: Record<string, unknown>) {
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
    consumer.observer.on('close', () => this.#consumers.delete(consumer.id));
    return {
      id: consumer.id,
      producerId,
      kind: consumer.kind,
      rtpParameters: consumer.rtpParameters,
    };
  }

  async resumeConsumer(consumerId: string): Promise<void> {
    const consumer = this.#consumers.get(consumerId);
    if (!consumer) throw new AppError(ErrorCode.ConsumerNotFound, `no consumer ${consumerId} on this connection`);
    await consumer.resume();
    if (consumer.kind === 'video') await consumer.requestKeyFrame();
  }

  /** Closes everything this peer made for one call (the call ended). */
  closeCall(callId: string): void {
    for (const { transport, callId: c } of [...this.#transports.values()]) if (c === callId) transport.close();
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
