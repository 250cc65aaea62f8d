import wrtc from '@roamhq/wrtc';
import type { types as msc } from 'mediasoup-client';
import { afterEach, describe, expect, it } from 'vitest';
import { setVideoEncoding, videoEncoding } from './senderEncoding.ts';

/**
 * Real libwebrtc (@roamhq/wrtc), as on the terminal: a camera track sent to
 * a second peer connection in this process (whose answer, like mediasoup's,
 * has codecs with fmtp parameters), negotiated, and then limited the way the
 * link ladder limits it.
 */
const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

async function sendingCamera() {
  const source = new wrtc.nonstandard.RTCVideoSource();
  const track = source.createTrack();
  const a = new wrtc.RTCPeerConnection();
  const b = new wrtc.RTCPeerConnection();
  closers.push(() => {
    track.stop();
    a.close();
    b.close();
  });
  const transceiver = a.addTransceiver(track, { direction: 'sendonly', sendEncodings: [{ maxBitrate: 900_000 }] });
  const offer = await a.createOffer();
  await a.setLocalDescription(offer);
  await b.setRemoteDescription(offer);
  const answer = await b.createAnswer();
  await b.setLocalDescription(answer);
  await a.setRemoteDescription(answer);
  const ssrc = Number(/a=ssrc:(\d+) /.exec(a.localDescription!.sdp)![1]);
  // What setVideoEncoding uses of a mediasoup-client Producer: its sender and its negotiated SSRC.
  const producer = { rtpSender: transceiver.sender, rtpParameters: { encodings: [{ ssrc }] } } as unknown as msc.Producer;
  return { producer, sender: transceiver.sender };
}

describe('setVideoEncoding', () => {
  it("reaches wrtc's encoder, which refuses its own getParameters() handed back", async () => {
    const { producer, sender } = await sendingCamera();
    // The reason for the helper: wrtc refuses its own parameters handed straight back.
    const plain = sender.getParameters();
    plain.encodings[0]!.maxBitrate = 200_000;
    await expect(sender.setParameters(plain)).rejects.toMatchObject({ name: 'InvalidStateError' });
    expect(videoEncoding(producer)).toEqual({ maxBitrate: 900_000 });

    await setVideoEncoding(producer, { maxBitrate: 150_000, scaleResolutionDownBy: 4, maxFramerate: 6 });
    expect(videoEncoding(producer)).toEqual({ maxBitrate: 150_000, scaleResolutionDownBy: 4 });
    await setVideoEncoding(producer, { maxBitrate: 900_000, scaleResolutionDownBy: 1, maxFramerate: 30 });
    expect(videoEncoding(producer)).toEqual({ maxBitrate: 900_000, scaleResolutionDownBy: 1 });
  });

  it('says so when the producer has no sender', async () => {
    const producer = { rtpSender: undefined, rtpParameters: { encodings: [] } } as unknown as msc.Producer;
    await expect(setVideoEncoding(producer, { maxBitrate: 1, scaleResolutionDownBy: 1, maxFramerate: 1 })).rejects.toThrow(/no RTCRtpSender/);
  });
});
