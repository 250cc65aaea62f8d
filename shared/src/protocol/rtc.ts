import Type from 'typebox';
import { CallId, Direction, Empty, MediaId, MediaKind, RtcObject } from './common.ts';

/** What a peer needs to build its side of a mediasoup WebRtcTransport. */
export const TransportOptions = Type.Object({
  id: MediaId,
  iceParameters: RtcObject,
  iceCandidates: Type.Array(RtcObject),
  dtlsParameters: RtcObject,
});

export const ConsumerOptions = Type.Object({
  id: MediaId,
  producerId: MediaId,
  kind: MediaKind,
  rtpParameters: RtcObject,
});

/**
 * The media requests both terminals and consoles use. They run over the same
 * envelope on either gateway; `callId` says which call's router the transport
 * belongs to (terminals may omit it: their transports live on their own router).
 */
export const RtcRequests = {
  'rtc.createTransport': {
    data: Type.Object({ direction: Direction, callId: Type.Optional(CallId) }, { additionalProperties: false }),
    result: TransportOptions,
    doc: 'Create a WebRTC transport on the relay for sending or receiving media. Without `callId` it is a warm transport: it outlives calls (a terminal keeps its send and receive transports, a console its receive transport, for as long as the connection lasts), so a call only adds producers and consumers.',
  },
  'rtc.connectTransport': {
    data: Type.Object({ transportId: MediaId, dtlsParameters: RtcObject }, { additionalProperties: false }),
    result: Empty,
    doc: "Give the relay this peer's DTLS parameters so the transport can connect.",
  },
  'rtc.produce': {
    data: Type.Object(
      { transportId: MediaId, kind: MediaKind, rtpParameters: RtcObject, callId: Type.Optional(CallId) },
      { additionalProperties: false },
    ),
    result: Type.Object({ producerId: MediaId }),
    doc: "Start sending a track (camera, microphone) into a call. A terminal may omit `callId`: the producer then stands by, paused on the relay, and joins each of the terminal's calls while it lasts (the terminal feeds it frames only during a call).",
  },
  'rtc.consume': {
    data: Type.Object(
      { transportId: MediaId, producerId: MediaId, rtpCapabilities: RtcObject },
      { additionalProperties: false },
    ),
    result: ConsumerOptions,
    doc: 'Receive a producer of a call; the consumer starts paused.',
  },
  'rtc.warmUp': {
    data: Type.Object({ transportId: MediaId, rtpCapabilities: RtcObject }, { additionalProperties: false }),
    result: ConsumerOptions,
    doc: "Connect a warm receive transport before anything is received: the relay returns a consumer of a producer that never sends (it stays paused); consuming it makes the peer's ICE and DTLS handshake happen now instead of at the first call.",
  },
  'rtc.resumeConsumer': {
    data: Type.Object({ consumerId: MediaId }, { additionalProperties: false }),
    result: Empty,
    doc: 'Unpause a consumer once the local side is ready to play it (the relay asks the sender for a keyframe).',
  },
  'rtc.restartIce': {
    data: Type.Object({ transportId: MediaId }, { additionalProperties: false }),
    result: Type.Object({ iceParameters: RtcObject }),
    doc: "The transport's network broke (ICE disconnected or failed): the relay restarts ICE on its side and returns new ICE parameters for the peer's `transport.restartIce()`. If that does not reconnect, the peer re-joins: a new rtc.createTransport for the same call and direction closes the old transport with its producers and consumers (consoles see the new producers in call.updated).",
  },
} as const;
