import wrtc from '@roamhq/wrtc';

/**
 * mediasoup-client's Chrome111 handler looks for the browser globals
 * RTCPeerConnection and MediaStream; on the Pi those come from @roamhq/wrtc
 * (libwebrtc in Node). Installed once, before the first Device is made.
 */
export function installWebRtcGlobals(): typeof wrtc {
  const g = globalThis as Record<string, unknown>;
  g['RTCPeerConnection'] ??= wrtc.RTCPeerConnection;
  g['MediaStream'] ??= wrtc.MediaStream;
  g['MediaStreamTrack'] ??= wrtc.MediaStreamTrack;
  g['RTCSessionDescription'] ??= wrtc.RTCSessionDescription;
  g['RTCIceCandidate'] ??= wrtc.RTCIceCandidate;
  return wrtc;
}
