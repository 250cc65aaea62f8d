import type { types as msc } from 'mediasoup-client';

/** The part of wrtc's RTCRtpSender used here (the kiosk is built without the DOM's types). */
interface Sender {
  getParameters(): SendParameters;
  setParameters(params: SendParameters): Promise<void>;
}
interface SendParameters {
  codecs: { sdpFmtpLine?: string }[];
  // wrtc's encodings carry an `ssrc`, which the DOM's type does not declare.
  encodings: { ssrc?: number; maxBitrate?: number; scaleResolutionDownBy?: number; maxFramerate?: number }[];
}
const senderOf = (producer: msc.Producer) => producer.rtpSender as Sender | undefined;

/** What the link ladder sets on the camera's one encoding. */
export interface VideoEncoding {
  maxBitrate: number;
  scaleResolutionDownBy: number;
  maxFramerate: number;
}

/**
 * Sets the camera producer's one encoding on its RTCRtpSender.
 *
 * Not producer.setRtpEncodingParameters(): @roamhq/wrtc does not give back
 * to setParameters() what its getParameters() handed out, and libwebrtc
 * refuses anything changed but the limits (mediasoup-client passes that on as
 * InvalidStateError, so the ladder never applied anything). Two fields are
 * mended before the round trip:
 * - each encoding's `ssrc` is left out by getParameters() ("modified SSRC");
 *   it is put back from what the producer negotiated;
 * - a codec's `sdpFmtpLine` comes out as "a=fmtp:97 apt=96" but is read back
 *   as plain "key=value;…", so the prefix would become part of a key and the
 *   codec list would differ ("changing the set of codecs is not supported").
 * Going to the sender directly also skips mediasoup-client's renegotiation,
 * which a change of one encoding's limits does not need.
 */
export async function setVideoEncoding(producer: msc.Producer, wanted: VideoEncoding): Promise<void> {
  const sender = senderOf(producer);
  if (!sender) throw new Error('the video producer has no RTCRtpSender');
  const params = sender.getParameters();
  const encoding = params.encodings[0];
  if (!encoding) throw new Error('the video sender has no encoding');
  const negotiated = producer.rtpParameters.encodings?.[0]?.ssrc;
  if (encoding.ssrc === undefined && negotiated !== undefined) encoding.ssrc = negotiated;
  for (const codec of params.codecs) {
    if (codec.sdpFmtpLine) codec.sdpFmtpLine = codec.sdpFmtpLine.replace(/^a=fmtp:\d+ /, '');
  }
  encoding.maxBitrate = wanted.maxBitrate;
  encoding.scaleResolutionDownBy = wanted.scaleResolutionDownBy;
  encoding.maxFramerate = wanted.maxFramerate;
  await sender.setParameters(params);
}

/** What the sender's encoder is held to now, as wrtc reports it (it reports no maxFramerate). */
export function videoEncoding(producer: msc.Producer): { maxBitrate?: number; scaleResolutionDownBy?: number } {
  const encoding = senderOf(producer)?.getParameters().encodings[0];
  return {
    ...(encoding?.maxBitrate !== undefined ? { maxBitrate: encoding.maxBitrate } : {}),
    ...(encoding?.scaleResolutionDownBy !== undefined ? { scaleResolutionDownBy: encoding.scaleResolutionDownBy } : {}),
  };
}
