import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');

/** Payload types and SSRCs the clip is encoded with; producers declare the same. */
export const CLIP = {
  video: { payloadType: 101, ssrc: 11_110_000, clockRate: 90_000 },
  audio: { payloadType: 100, ssrc: 22_220_000, clockRate: 48_000 },
} as const;

export interface RtpClipPacket {
  kind: 'audio' | 'video';
  /** Seconds from the clip's start, from the RTP timestamp. */
  at: number;
  data: Buffer;
}

export interface RtpClip {
  packets: RtpClipPacket[];
  durationS: number;
  videoKbps: number;
}

/**
 * A short VP8 + opus clip as RTP packets, encoded once with ffmpeg (test
 * pattern + tone, 640×480 15 fps, a keyframe every 2 s) and cached under
 * .data/bench/, so every simulated call can replay it without an encoder.
 */
export async function loadRtpClip(opts: { seconds?: number; videoKbps?: number } = {}): Promise<RtpClip> {
  const seconds = opts.seconds ?? 6;
  const kbps = opts.videoKbps ?? 500;
  const cache = path.join(root, '.data/bench', `rtp-clip-vp8-opus-${seconds}s-${kbps}k.json`);
  if (fs.existsSync(cache)) return decode(JSON.parse(fs.readFileSync(cache, 'utf8')) as Stored, kbps);
  const stored = await record(seconds, kbps);
  fs.mkdirSync(path.dirname(cache), { recursive: true });
  fs.writeFileSync(cache, JSON.stringify(stored));
  return decode(stored, kbps);
}

type Stored = { kind: 'audio' | 'video'; b64: string }[];

function decode(stored: Stored, kbps: number): RtpClip {
  const firstTs = { audio: -1, video: -1 };
  const packets = stored.map(({ kind, b64 }) => {
    const data = Buffer.from(b64, 'base64');
    const ts = data.readUInt32BE(4);
    if (firstTs[kind] < 0) firstTs[kind] = ts;
    return { kind, at: ((ts - firstTs[kind]) >>> 0) / CLIP[kind].clockRate, data };
  });
  packets.sort((a, b) => a.at - b.at);
  const durationS = Math.ceil(Math.max(...packets.map((p) => p.at)) + 0.1);
  return { packets, durationS, videoKbps: kbps };
}

/** Runs ffmpeg in real time (-re) into two local UDP ports and keeps every packet, in order. */
async function record(seconds: number, kbps: number): Promise<Stored> {
  const out: Stored = [];
  const sockets = await Promise.all(
    (['video', 'audio'] as const).map(
      (kind) =>
        new Promise<{ kind: 'audio' | 'video'; sock: dgram.Socket; port: number }>((resolve) => {
          const sock = dgram.createSocket('udp4');
          sock.on('message', (msg) => {
            // RTCP (payload types 200-204 after the marker bit) is not part of the clip.
            const pt = msg[1]! & 0x7f;
            if (pt === CLIP[kind].payloadType) out.push({ kind, b64: msg.toString('base64') });
          });
          sock.bind(0, '127.0.0.1', () => resolve({ kind, sock, port: sock.address().port }));
        }),
    ),
  );
  const port = (k: 'audio' | 'video') => sockets.find((s) => s.kind === k)!.port;
  const args = [
    ...['-hide_banner', '-loglevel', 'error', '-re'],
    ...['-t', String(seconds), '-f', 'lavfi', '-i', `testsrc2=size=640x480:rate=15`, '-t', String(seconds), '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
    ...['-map', '0:v', '-c:v', 'libvpx', '-b:v', `${kbps}k`, '-deadline', 'realtime', '-cpu-used', '8', '-g', '30', '-keyint_min', '30'],
    ...['-ssrc', String(CLIP.video.ssrc), '-payload_type', String(CLIP.video.payloadType), '-f', 'rtp', `rtp://127.0.0.1:${port('video')}?pkt_size=1200`],
    ...['-map', '1:a', '-c:a', 'libopus', '-b:a', '32k', '-ac', '2'],
    ...['-ssrc', String(CLIP.audio.ssrc), '-payload_type', String(CLIP.audio.payloadType), '-f', 'rtp', `rtp://127.0.0.1:${port('audio')}?pkt_size=1200`],
  ];
  await new Promise<void>((resolve, reject) => {
    const ff = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    ff.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const kill = setTimeout(() => ff.kill('SIGKILL'), (seconds + 20) * 1000);
    ff.on('exit', (code) => {
      clearTimeout(kill);
      if (code === 0) resolve();
      else reject(new Error(`ffmpeg could not encode the RTP clip (exit ${code}): ${err.trim()}`));
    });
  });
  await new Promise((r) => setTimeout(r, 200));
  for (const s of sockets) s.sock.close();
  if (!out.some((p) => p.kind === 'video') || !out.some((p) => p.kind === 'audio')) throw new Error('the RTP clip came out empty');
  return out;
}
