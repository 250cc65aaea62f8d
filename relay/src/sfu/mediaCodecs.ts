import type { types } from 'mediasoup';

/**
 * Opus and VP8 only: @roamhq/wrtc on the kiosk has no H264, and every
 * console is a Chromium browser that does both.
 */
export const MEDIA_CODECS: types.RouterRtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  {
    kind: 'video',
    mimeType: 'video/VP8',
    clockRate: 90000,
    parameters: { 'x-google-start-bitrate': 800 },
  },
];
