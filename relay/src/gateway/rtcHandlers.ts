import type { RequestData } from '@helppoint/shared';
import type { RtcRequests } from '@helppoint/shared';
import type { types } from 'mediasoup';
import type { MediaPeer } from '../sfu/MediaPeer.ts';
import type { PoolSlot } from '../sfu/WorkerPool.ts';

type Rtc = typeof RtcRequests;

/**
 * The rtc.* requests, the same for terminals and consoles. What differs is
 * which router a transport goes on and what happens when something is
 * produced; the gateways pass those in.
 */
export function rtcHandlers(opts: {
  peer: MediaPeer;
  slotFor: (callId: string | undefined) => PoolSlot;
  onProduce: (callId: string, producer: types.Producer) => void;
  /** Checked before a producer is created, so a refused produce leaves nothing behind. */
  mayProduce: (callId: string, kind: 'audio' | 'video') => void;
  /** Checked before a consumer is made: the peer must be part of the producer's call (security/MediaAuthorisation). */
  mayConsume: (producerId: string, transportCallId: string | undefined) => void;
  /** Told after each consumer is made (every consume is audited). */
  onConsume?: (producerId: string, kind: 'audio' | 'video') => void;
}) {
  const { peer } = opts;
  // Remembers which slot each transport was made on, for consume.
  const slotOfTransport = new Map<string, PoolSlot>();
  const callOfTransport = new Map<string, string | undefined>();
  return {
    'rtc.createTransport': async (d: RequestData<Rtc, 'rtc.createTransport'>) => {
      const slot = opts.slotFor(d.callId);
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
      const producer = await peer.produce(d.transportId, d.kind, d.rtpParameters, { callId: d.callId });
      try {
        opts.onProduce(d.callId, producer);
      } catch (error) {
        producer.close();
        throw error;
      }
      return { producerId: producer.id };
    },
    'rtc.consume': async (d: RequestData<Rtc, 'rtc.consume'>) => {
      opts.mayConsume(d.producerId, callOfTransport.get(d.transportId));
      const slot = slotOfTransport.get(d.transportId) ?? opts.slotFor(undefined);
      const consumer = await peer.consume(slot, d.transportId, d.producerId, d.rtpCapabilities);
      opts.onConsume?.(d.producerId, consumer.kind);
      return consumer;
    },
    'rtc.restartIce': async (d: RequestData<Rtc, 'rtc.restartIce'>) => ({ iceParameters: await peer.restartIce(d.transportId) }),
    'rtc.resumeConsumer': async (d: RequestData<Rtc, 'rtc.resumeConsumer'>) => {
      await peer.resumeConsumer(d.consumerId);
      return {};
    },
  };
}
