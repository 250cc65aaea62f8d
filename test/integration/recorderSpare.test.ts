import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEDIA_CODECS } from '../../relay/src/sfu/mediaCodecs.ts';
import { Recorder } from '../../relay/src/sfu/Recorder.ts';
import { ProcessLauncher } from '../../relay/src/sfu/launcher/ProcessLauncher.ts';
import { FfmpegSpare } from '../../relay/src/sfu/RecorderFfmpeg.ts';
import { ffprobe } from '../support/ffprobe.ts';
import { startPlainMediaFeed, type PlainMediaFeed } from '../support/plainMediaFeed.ts';
import { eventually } from '../support/kioskStatus.ts';
import { parentOf } from '../support/procStat.ts';

/**
 * A recording made with the ffmpeg started ahead (FfmpegSpare): the file is
 * the one the call's row names, whole and with its streams; the link the
 * spare wrote through is gone afterwards, and the next spare is waiting.
 * Real mediasoup worker, real ffmpeg on both ends.
 */
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const logger = pino({ level: process.env['HELPPOINT_TEST_LOG'] ?? 'silent' });
let worker: types.Worker;
let router: types.Router;
let dir: string;
const feeds: PlainMediaFeed[] = [];
const spares: FfmpegSpare[] = [];
const launchers: ProcessLauncher[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-spare-'));
  worker = await mediasoup.createWorker({ logLevel: 'warn' });
  router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
});
afterAll(async () => {
  for (const s of spares) s.close();
  for (const f of feeds) await f.close();
  for (const l of launchers) l.close();
  worker?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Process ids of the ffmpegs running with `needle` in their command line. */
function ffmpegsWith(needle: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(needle);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** A recording of a fresh video + audio feed into `file`, on the spare's ffmpeg; and that ffmpeg's pid. */
async function recordFromSpare(spare: FfmpegSpare, file: string): Promise<{ rec: Recorder; pid: number | undefined }> {
  const feed = await startPlainMediaFeed(router, ['video', 'audio']);
  feeds.push(feed);
  let pid: number | undefined;
  const rec = await Recorder.start({
    router,
    producers: feed.producers.map((p) => ({ id: p.id, kind: p.kind })),
    file,
    logger,
    launch: (f) => {
      const proc = spare.take(f);
      pid = proc.child.pid;
      return proc;
    },
  });
  return { rec, pid };
}

describe('recording with an ffmpeg started ahead', () => {
  it('writes the named file through the spare, leaves no link behind and has the next spare waiting', async () => {
    const spareDir = path.join(dir, '.ffmpeg-spare');
    // A link a crashed relay left behind goes when the next one starts.
    fs.mkdirSync(spareDir, { recursive: true });
    fs.symlinkSync(path.join(dir, 'gone.webm'), path.join(spareDir, 'stale.webm'));
    const spare = new FfmpegSpare({ dir: spareDir, logger, refillAfterMs: 300 });
    spares.push(spare);
    expect(fs.existsSync(path.join(spareDir, 'stale.webm'))).toBe(false);
    await eventually(async () => spare.ready || null, 10_000, 'spare ffmpeg started');
    const waiting = ffmpegsWith(spareDir);
    expect(waiting).toHaveLength(1);

    const file = path.join(dir, 'recordings', '2026-12-02', 'call-terminal-1.webm');
    const { rec, pid: launchedPid } = await recordFromSpare(spare, file);
    // The recording runs on the ffmpeg that was waiting, not on a new one.
    expect(launchedPid).toBe(waiting[0]);
    await sleep(3_000);
    const bytes = await rec.stop();

    expect(bytes).toBeGreaterThan(10_000);
    expect(fs.lstatSync(file).isFile()).toBe(true);
    const probe = ffprobe(file);
    expect(probe.streams.map((s) => `${s.type}/${s.codec}`)).toEqual(['video/vp8', 'audio/opus']);
    // The file is finished (its index written): ffprobe knows its length.
    expect(probe.durationS).toBeGreaterThan(1.5);
    // Nothing but the next spare's (not yet existing) output is left in the spare's folder.
    expect(fs.readdirSync(spareDir)).toEqual([]);
    await eventually(async () => spare.ready || null, 10_000, 'next spare ffmpeg started');
    const next = ffmpegsWith(spareDir);
    expect(next).toHaveLength(1);
    expect(next[0]).not.toBe(waiting[0]);
  });

  it('replaces a spare that died, and starts a fresh ffmpeg when none is waiting', async () => {
    const spareDir = path.join(dir, '.spare-2');
    const spare = new FfmpegSpare({ dir: spareDir, logger, refillAfterMs: 200 });
    spares.push(spare);
    await eventually(async () => spare.ready || null, 10_000, 'spare ffmpeg started');
    const [first] = ffmpegsWith(spareDir);
    process.kill(first!, 'SIGKILL');
    await eventually(async () => (spare.ready && ffmpegsWith(spareDir).some((p) => p !== first)) || null, 10_000, 'replacement spare');

    // Two recordings at once: the second finds no spare and gets an ffmpeg of its own.
    const a = spare.take(path.join(dir, 'a.webm'));
    const b = spare.take(path.join(dir, 'b.webm'));
    expect(a.child.pid).not.toBe(b.child.pid);
    expect(ffmpegsWith(path.join(dir, 'b.webm'))).toEqual([b.child.pid]);
    for (const p of [a, b]) {
      const exited = new Promise((r) => p.child.once('exit', r));
      p.child.kill('SIGKILL');
      await exited;
      p.cleanup();
    }
  });

  it('records as whole through the process launcher, and ffmpeg is not this process\'s child', async () => {
    const launcher = new ProcessLauncher({ logger });
    launchers.push(launcher);
    await eventually(async () => launcher.viaHelper || null, 10_000, 'launcher ready');
    const spareDir = path.join(dir, '.spare-launcher');
    const spare = new FfmpegSpare({ dir: spareDir, logger, refillAfterMs: 300, launcher });
    spares.push(spare);
    await eventually(async () => spare.ready || null, 10_000, 'spare ffmpeg started');
    const file = path.join(dir, 'recordings', 'call-terminal-launcher.webm');
    const { rec, pid } = await recordFromSpare(spare, file);
    expect(pid).toBeDefined();
    expect(parentOf(pid!)).not.toBe(process.pid);
    await sleep(3_000);
    const bytes = await rec.stop();
    expect(bytes).toBeGreaterThan(10_000);
    const probe = ffprobe(file);
    expect(probe.streams.map((s) => `${s.type}/${s.codec}`)).toEqual(['video/vp8', 'audio/opus']);
    expect(probe.durationS).toBeGreaterThan(1.5);
  });
});
