/**
 * The other way to give a district officer a station's call (issue 14):
 * media piped relay-to-relay. Two "relays" (a WorkerPool each: separate
 * mediasoup worker processes), the station's call producing VP8 + opus from
 * the RTP replayer, and the district asking for it over NATS request/reply:
 *   district: PipeTransport (SRTP) → request hp.pipe.<station>.open {ip, port, srtp}
 *   station:  PipeTransport (SRTP), connect, consume the call's producers → reply {ip, port, srtp, consumers}
 *   district: connect, produce them with the same ids and RTP parameters, consume → first RTP packet.
 * Measures request → first video RTP packet at the district router. What a
 * district console would add on top is its own WebRTC leg to the district
 * relay (the same as a station console's: bench-call-setup). Compare with the
 * direct path, measured end to end in test/e2e/district.e2e.test.ts.
 *   node scripts/bench-district-pipe.ts [--runs 10] [--nats-port 14260]
 */
import pino from 'pino';
import type { types } from 'mediasoup';
import { connect } from '@nats-io/transport-node';
import { parseArgs } from './lib/bench/args.ts';
import { RtpReplayer } from './lib/bench/RtpReplayer.ts';
import { loadRtpClip } from './lib/bench/rtpClip.ts';
import { SimCall } from './lib/bench/SimCall.ts';
import { fmt, percentile } from './lib/bench/stats.ts';
import { NatsCluster } from './lib/nats/NatsCluster.ts';
import { WorkerPool } from '../relay/src/sfu/WorkerPool.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const args = parseArgs(process.argv.slice(2), { runs: 10, natsPort: 14260 }, 'usage: bench-district-pipe [--runs 10] [--nats-port 14260]');
const logger = pino({ level: 'warn' });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-bench-pipe-'));
const users = { district: { id: 'district', user: 'district', password: 'd' }, stations: [{ id: 'a', user: 'station-a', password: 'a' }] };
const nats = await NatsCluster.start({ dir, basePort: args.natsPort, nodes: 1, users });
const poolOpts = { numWorkers: 1, listenIp: '127.0.0.1', announcedAddress: undefined, basePort: 0, logger };
const stationPool = await WorkerPool.create(poolOpts);
const districtPool = await WorkerPool.create(poolOpts);
const replayer = new RtpReplayer(await loadRtpClip());
const listenInfo = { protocol: 'udp' as const, ip: '127.0.0.1' };
const ms: number[] = [];
const audioMs: number[] = [];
const stationNc = await connect({ servers: nats.urls, user: 'station-a', pass: 'a', inboxPrefix: '_INBOX_a' });
const districtNc = await connect({ servers: nats.urls, user: 'district', pass: 'd', inboxPrefix: '_INBOX_district' });
try {
  await replayer.start();
  const call = await SimCall.create({ slot: stationPool.slots[0]!, sinkPort: 9, consoles: 0, srtpKeyBase64: null });
  replayer.setTargets([call.sendPort]);
  const stationRouter = stationPool.slots[0]!.router;
  const districtRouter = districtPool.slots[0]!.router;
  // The station's side: answers pipe requests for its call (the commands subject in production: hp.cmd.<station>.>).
  const stationTransports: types.PipeTransport[] = [];
  stationNc.subscribe('hp.cmd.a.pipe', {
    callback: (_err, msg) => {
      void (async () => {
        const req = msg.json<{ ip: string; port: number; srtpParameters: types.SrtpParameters }>();
        const t = await stationRouter.createPipeTransport({ listenInfo, enableSrtp: true });
        stationTransports.push(t);
        await t.connect({ ip: req.ip, port: req.port, srtpParameters: req.srtpParameters });
        const consumers = [];
        for (const p of call.producers) {
          const c = await t.consume({ producerId: p.id });
          consumers.push({ producerId: p.id, kind: c.kind, rtpParameters: c.rtpParameters, paused: c.producerPaused });
        }
        msg.respond(JSON.stringify({ ip: t.tuple.localAddress, port: t.tuple.localPort, srtpParameters: t.srtpParameters, consumers }));
      })();
    },
  });
  await new Promise((r) => setTimeout(r, 1500)); // the replayer is flowing
  for (let run = 0; run < args.runs; run++) {
    const t0 = performance.now();
    const pipe = await districtRouter.createPipeTransport({ listenInfo, enableSrtp: true });
    const reply = (
      await districtNc.request('hp.cmd.a.pipe', JSON.stringify({ ip: pipe.tuple.localAddress, port: pipe.tuple.localPort, srtpParameters: pipe.srtpParameters }), { timeout: 5000 })
    ).json<{ ip: string; port: number; srtpParameters: types.SrtpParameters; consumers: { producerId: string; kind: types.MediaKind; rtpParameters: types.RtpParameters; paused: boolean }[] }>();
    await pipe.connect({ ip: reply.ip, port: reply.port, srtpParameters: reply.srtpParameters });
    const direct = await districtRouter.createDirectTransport();
    const first: Record<string, Promise<number>> = {};
    for (const c of reply.consumers) {
      const producer = await pipe.produce({ id: c.producerId, kind: c.kind, rtpParameters: c.rtpParameters, paused: c.paused });
      const consumer = await direct.consume({ producerId: producer.id, rtpCapabilities: districtRouter.rtpCapabilities });
      first[c.kind] = new Promise((resolve) => consumer.once('rtp', () => resolve(performance.now())));
    }
    const limit = new Promise<number>((_, j) => setTimeout(() => j(new Error('no RTP through the pipe in 5 s')), 5000));
    // Video waits for the clip's next keyframe (every 2 s; the replayed clip cannot answer a PLI); audio shows the pipe itself.
    audioMs.push((await Promise.race([first['audio']!, limit])) - t0);
    ms.push((await Promise.race([first['video']!, limit])) - t0);
    direct.close();
    pipe.close();
    for (const t of stationTransports.splice(0)) t.close();
  }
  process.stderr.write(`pipe set-up, request → first RTP at the district router: audio ${audioMs.map((m) => fmt(m)).join(', ')} ms; video ${ms.map((m) => fmt(m)).join(', ')} ms\n`);
  console.log(`result: runs=${args.runs} pipe_first_audio_p50_ms=${fmt(percentile(audioMs, 50))} pipe_first_audio_p95_ms=${fmt(percentile(audioMs, 95))} pipe_first_video_p50_ms=${fmt(percentile(ms, 50))} pipe_first_video_p95_ms=${fmt(percentile(ms, 95))} srtp=AES_CM_128_HMAC_SHA1_80 params_over=nats_request_reply`);
  call.close();
} finally {
  replayer.close();
  await stationNc.close();
  await districtNc.close();
  await stationPool.close();
  await districtPool.close();
  await nats.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
