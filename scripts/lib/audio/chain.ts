import pino from 'pino';
import { CallAudio } from '../../../kiosk/src/audio/CallAudio.ts';
import { EchoPath, type EchoPathOptions } from '../../../kiosk/src/audio/EchoPath.ts';
import type { NoiseSource } from '../../../kiosk/src/audio/noise.ts';
import type { VoiceProcessorFactory, VoiceProcessorOptions } from '../../../kiosk/src/audio/VoiceProcessor.ts';
import { LevelMeter } from '../../../kiosk/src/hw/LevelMeter.ts';
import type { Microphone } from '../../../kiosk/src/hw/Microphone.ts';
import type { Speaker } from '../../../kiosk/src/hw/Speaker.ts';

const FRAME = 480;

export interface ChainRun {
  /** What the microphone picked up: echo only (what the canceller must remove). */
  echoAtMic: Float32Array;
  /** The resident (and noise) at the microphone, without echo. */
  nearAtMic: Float32Array;
  /** What the kiosk sent to the officer. */
  sent: Float32Array;
  /** Wall time spent in the kiosk chain, ns per 10 ms frame (inflated on a busy machine; see measureChainCpu). */
  nsPerFrame: number;
}

export interface ChainScenario {
  processor: VoiceProcessorFactory | null;
  processorOptions?: VoiceProcessorOptions;
  echo: EchoPathOptions;
  /** The officer's voice, played on the terminal's speaker (48 kHz mono). */
  officer: Int16Array;
  /** The resident at the microphone (same length or shorter; silence after). */
  resident?: Int16Array;
  noise?: NoiseSource;
  /** The echo path changes at this sample (new reflections, delay + 7 ms). */
  changeAt?: number;
}

/**
 * Runs the kiosk's real call audio chain (CallAudio around a scripted
 * microphone and speaker) over recorded signals through the simulated room's
 * echo path, frame by frame in lock step: what the speaker was given this
 * frame is what reaches the room, as a sound card with a fixed buffer would do.
 */
export async function runChain(s: ChainScenario): Promise<ChainRun> {
  const n = Math.floor(s.officer.length / FRAME) * FRAME;
  const path = new EchoPath(s.echo);
  let played: Int16Array = new Int16Array(FRAME);
  const meter = new LevelMeter();
  const speaker: Speaker = {
    write(samples) {
      played = samples;
      meter.record(samples);
    },
    get level() {
      return meter.level;
    },
    close: async () => undefined,
  };
  let feed: ((f: Int16Array) => void) | null = null;
  const mic: Microphone = {
    sampleRate: 48000,
    channels: 1,
    framesDelivered: 0,
    level: meter.level,
    start: async (onPcm) => {
      feed = onPcm;
    },
    stop: async () => {
      feed = null;
    },
  };
  const audio = new CallAudio({
    microphone: mic,
    speaker,
    processor: s.processor,
    ...(s.processorOptions ? { processorOptions: s.processorOptions } : {}),
    logger: pino({ level: 'silent' }),
  });
  const sentFrames: Int16Array[] = [];
  await audio.microphone.start((pcm) => sentFrames.push(pcm));
  const echoAtMic = new Float32Array(n);
  const nearAtMic = new Float32Array(n);
  let cpu = 0;
  const cpuNow = () => Number(process.hrtime.bigint());
  for (let i = 0; i < n; i += FRAME) {
    if (s.changeAt !== undefined && i === Math.floor(s.changeAt / FRAME) * FRAME) {
      path.setPath({ ...path.options, seed: path.options.seed + 17, delayMs: path.options.delayMs + 7 });
    }
    const officer = s.officer.subarray(i, i + FRAME);
    const t0 = cpuNow();
    audio.speaker.write(officer, 48000, 1);
    const t1 = cpuNow();
    const echo = path.process(played);
    const noise = s.noise?.next(FRAME);
    const frame = new Int16Array(FRAME);
    for (let k = 0; k < FRAME; k++) {
      const near = (s.resident?.[i + k] ?? 0) + (noise ? noise[k]! * 32768 : 0);
      const e = echo[k]! * 32768;
      echoAtMic[i + k] = e;
      nearAtMic[i + k] = near;
      frame[k] = Math.max(-32768, Math.min(32767, Math.round(e + near)));
    }
    const t2 = cpuNow();
    feed!(frame);
    cpu += t1 - t0 + (cpuNow() - t2);
  }
  await audio.microphone.stop();
  const sent = new Float32Array(n);
  let off = 0;
  for (const f of sentFrames) {
    sent.set(f, off);
    off += f.length;
  }
  return { echoAtMic, nearAtMic, sent, nsPerFrame: cpu / (n / FRAME) };
}

/** Energy of a[from, to). */
export function energy(a: Float32Array, from = 0, to = a.length): number {
  let e = 0;
  for (let i = Math.max(0, from); i < Math.min(to, a.length); i++) e += a[i]! * a[i]!;
  return e;
}

export const db = (ratio: number) => 10 * Math.log10(Math.max(ratio, 1e-20));

/**
 * CPU time of the kiosk chain alone (CallAudio: limiter, reference queue,
 * engine) over prepared microphone frames: this thread's CPU time over the
 * whole loop, so neither a busy machine's preemption nor the clock's tick
 * granularity distorts it. ns per 10 ms frame.
 */
export async function measureChainCpu(processor: VoiceProcessorFactory, officer: Int16Array, mic: Float32Array): Promise<number> {
  const meter = new LevelMeter();
  const speaker: Speaker = { write: () => undefined, get level() { return meter.level; }, close: async () => undefined };
  let feed: ((f: Int16Array) => void) | null = null;
  const microphone: Microphone = { sampleRate: 48000, channels: 1, framesDelivered: 0, level: meter.level, start: async (onPcm) => void (feed = onPcm), stop: async () => void (feed = null) };
  const audio = new CallAudio({ microphone, speaker, processor, logger: pino({ level: 'silent' }) });
  await audio.microphone.start(() => undefined);
  const n = Math.floor(Math.min(officer.length, mic.length) / FRAME);
  const frames = Array.from({ length: n }, (_, f) => Int16Array.from(mic.subarray(f * FRAME, (f + 1) * FRAME), (x) => Math.max(-32768, Math.min(32767, Math.round(x)))));
  const before = process.threadCpuUsage();
  for (let f = 0; f < n; f++) {
    audio.speaker.write(officer.subarray(f * FRAME, (f + 1) * FRAME), 48000, 1);
    feed!(frames[f]!);
  }
  const used = process.threadCpuUsage(before);
  await audio.microphone.stop();
  return ((used.user + used.system) * 1000) / n;
}
