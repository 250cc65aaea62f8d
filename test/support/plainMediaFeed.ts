import { spawn, type ChildProcess } from 'node:child_process';
import type { types } from 'mediasoup';

export interface PlainMediaFeed {
  producers: types.Producer[];
  transports: types.PlainTransport[];
  /** Closes the transports (so the producers close, as in a re-join) and stops ffmpeg. */
  close(): Promise<void>;
}

const CODECS = {
  video: { mimeType: 'video/VP8', payloadType: 101, clockRate: 90_000 },
  audio: { mimeType: 'audio/opus', payloadType: 100, clockRate: 48_000, channels: 2 },
} as const;

/**
 * Real media into a router without a WebRTC peer: ffmpeg encodes a test
 * pattern (VP8) and a tone (opus) and sends plain RTP to one mediasoup
 * PlainTransport per kind, which produces it. Stands in for a terminal's
 * camera and microphone (or an officer's mic) in relay integration tests.
 */
export async function startPlainMediaFeed(router: types.Router, kinds: ('video' | 'audio')[]): Promise<PlainMediaFeed> {
  const transports: types.PlainTransport[] = [];
  const producers: types.Producer[] = [];
  const outputs: string[] = [];
  let ssrc = 11_110 + Math.floor(Math.random() * 1000) * 10;
  for (const kind of kinds) {
    // comedia: the transport learns ffmpeg's address from its first packet.
    // ffmpeg sends RTCP from a second socket, so RTCP needs its own port here
    // (muxed, an early sender report would claim the tuple and RTP be ignored).
    const transport = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: false, comedia: true });
    transports.push(transport);
    const s = ++ssrc;
    producers.push(await transport.produce({ kind, rtpParameters: { codecs: [{ ...CODECS[kind] }], encodings: [{ ssrc: s }] } }));
    const port = transport.tuple.localPort;
    const rtcpPort = transport.rtcpTuple?.localPort ?? port;
    outputs.push(
      ...(kind === 'video'
        ? ['-map', '0:v', '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '300k', '-g', '5']
        : ['-map', '1:a', '-c:a', 'libopus', '-ac', '2', '-b:a', '32k']),
      '-payload_type', String(CODECS[kind].payloadType), '-ssrc', String(s), '-f', 'rtp', `rtp://127.0.0.1:${port}?rtcpport=${rtcpPort}`,
    );
  }
  const ffmpeg: ChildProcess = spawn(
    'ffmpeg',
    [
      '-hide_banner', '-nostdin', '-loglevel', 'error',
      // -t bounds the feed even if a test forgets to close it.
      '-re', '-t', '60', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=15',
      '-re', '-t', '60', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
      ...outputs,
    ],
    { stdio: ['ignore', 'ignore', process.env['HELPPOINT_TEST_LOG'] ? 'inherit' : 'ignore'] },
  );
  const exited = new Promise<void>((resolve) => ffmpeg.once('exit', () => resolve()));
  return {
    producers,
    transports,
    close: async () => {
      for (const t of transports) t.close();
      if (ffmpeg.exitCode === null && ffmpeg.signalCode === null) ffmpeg.kill('SIGKILL');
      await exited;
    },
  };
}
