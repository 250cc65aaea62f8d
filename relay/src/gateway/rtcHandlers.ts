import { AppError, ErrorCode, type RequestData } from '@helppoint/shared';
import type { RtcRequests } from '@helppoint/shared';
import type { types } from 'mediasoup';
import type { MediaPeer } from '../sfu/MediaPeer.ts';
import type { PoolSlot, WorkerPool } from '../sfu/WorkerPool.ts';

type Rtc = typeof RtcRequests;

type RtcOptions = {
  peer: MediaPeer;
  pool: WorkerPool;
  /** The router a transport goes on: the call's, or (no call: a warm transport) the connection's own. */
  slotFor: (callId: string | undefined, direction: 'send' | 'recv') => PoolSlot;
  /** `callId` undefined: a terminal's standing producer (on its warm send transport, joining each call it makes). */
  onProduce: (callId: string | undefined, producer: types.Producer) => void;
  /** Checked before a producer is created, so a refused produce leaves nothing behind. */
  mayProduce: (callId: string | undefined, kind: 'audio' | 'video') => void;
  /**
   * Checked before a consumer is created: may this connection see that producer (security/MediaAuthorisation:
   * the peer must be part of the producer's call; `transportCallId` is undefined on a warm transport)?
   * Returns the slot the producer lives on (piped to the transport's router when that is another worker),
   * or undefined for "the transport's own".
   */
  mayConsume: (producerId: string, transportCallId: string | undefined) => PoolSlot | undefined;
  /** Told after each consumer is made (every consume, audio too, is audited). */
  onConsume?: (producerId: string, kind: 'audio' | 'video') => void;
  /** The open call a producer is part of: a consumer on a warm transport is closed with that call. */
  callOfProducer?: (producerId: string) => string | undefined;
  /** A consumer was resumed (the peer is ready for its media; for video mediasoup has asked the camera for a keyframe). */
  onResumed?: (producerId: string, kind: 'audio' | 'video') => void;
  /** A receive transport was warmed up (rtc.warmUp) with these capabilities: the console's offers go on it. */
  onWarmUp?: (transportId: string, rtpCapabilities: Record<string, unknown>) => void;
};

/**
 * The rtc.* requests, the same for terminals and consoles. What differs is
 * which router a transport goes on and what happens when something is
 * produced; the gateways pass those in.
 */
export function rtcHandlers(opts: RtcOptions) {
  return rtcMedia(opts).handlers;
}

/**
 * The handlers, and `consume` on its own: the relay makes a ringing call's
 * consumers for a console without being asked (rtc.consumersOffered), through
 * the same checks, pipes and audit as an rtc.consume.
 */
export function rtcMedia(opts: RtcOptions) {
  const { peer } = opts;
  // Remembers which slot each transport was made on, for consume.
  const slotOfTransport = new Map<string, PoolSlot>();
  const callOfTransport = new Map<string, string | undefined>();
  const transportSlot = (transportId: string): PoolSlot => {
    const slot = slotOfTransport.get(transportId);
    if (!slot) throw new AppError(ErrorCode.TransportNotFound, `no transport ${transportId} on this connection`);
    return slot;
  };
  /**
   * `record` runs the consumer's audit (onConsume): at once for a console's own request, or, for the relay's
   * own offers (ConsumerOffers), right after the offer is written, so its database writes (fsynced, 1–20 ms
   * each here) do not hold the offer back. Either way it is written before the consumer can be resumed.
   */
  const consume = async (d: RequestData<Rtc, 'rtc.consume'>, record: (audit: () => void) => void = (audit) => audit()) => {
    const slot = transportSlot(d.transportId);
    const home = opts.mayConsume(d.producerId, callOfTransport.get(d.transportId));
    if (home && home !== slot) await opts.pool.pipe(d.producerId, home, slot);
    const consumer = await peer.consume(slot, d.transportId, d.producerId, d.rtpCapabilities, callOfTransport.get(d.transportId) ?? opts.callOfProducer?.(d.producerId));
    record(() => opts.onConsume?.(d.producerId, consumer.kind));
    return consumer;
  };
  const handlers = {
    'rtc.createTransport': async (d: RequestData<Rtc, 'rtc.createTransport'>) => {
      const slot = opts.slotFor(d.callId, d.direction);
      const info = await peer.createTransport(slot, d.direction, d.callId);
      slotOfTransport.set(info.id, slot);
      callOfTransport.set(info.id, d.callId);
      return info;
    },
    'rtc.connectTransport': async (d: RequestData<Rtc, 'rtc.connectTransport'>) => {
      await peer.connectTransport(d.transportId, d.dtlsParameters);
      return {};
    },
    'rtc.produce': async (d: RequestData<Rtc, 'rtc.produce'>) => {
      opts.mayProduce(d.callId, d.kind);
      const producer = await peer.produce(d.transportId, d.kind, d.rtpParameters, { callId: d.callId ?? null });
      try {
        opts.onProduce(d.callId, producer);
      } catch (error) {
        producer.close();
        throw error;
      }
      return { producerId: producer.id };
    },
    'rtc.consume': (d: RequestData<Rtc, 'rtc.consume'>) => consume(d),
    'rtc.warmUp': async (d: RequestData<Rtc, 'rtc.warmUp'>) => {
      const options = await peer.warmUp(transportSlot(d.transportId), d.transportId, d.rtpCapabilities);
      opts.onWarmUp?.(d.transportId, d.rtpCapabilities);
      return options;
    },
    'rtc.restartIce': async (d: RequestData<Rtc, 'rtc.restartIce'>) => ({ iceParameters: await peer.restartIce(d.transportId) }),
    'rtc.resumeConsumer': async (d: RequestData<Rtc, 'rtc.resumeConsumer'>) => {
      const { producerId, kind } = await peer.resumeConsumer(d.consumerId);
      opts.onResumed?.(producerId, kind);
      return {};
    },
  };
  return { handlers, consume };
}
