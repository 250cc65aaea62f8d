import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { CallAudio, type VoiceActivity } from './CallAudio.ts';
import { EchoPath } from './EchoPath.ts';
import { SpeechShapedNoise } from './noise.ts';
import { loadVoiceEngine } from './voiceEngines.ts';
import type { VoiceProcessor, VoiceProcessorFactory } from './VoiceProcessor.ts';
import { LevelMeter } from '../hw/LevelMeter.ts';
import type { Microphone } from '../hw/Microphone.ts';
import type { Speaker } from '../hw/Speaker.ts';

const FRAME = 480;
const silent = pino({ level: 'silent' });

/** A microphone the test drives frame by frame, and a speaker that keeps what the device was given. */
function devices() {
  const meter = new LevelMeter();
  const played: Int16Array[] = [];
  let feed: ((f: Int16Array) => void) | null = null;
  const speaker: Speaker = {
    write: (samples) => {
      played.push(samples);
      meter.record(samples);
    },
    get level() {
      return meter.level;
    },
    close: async () => undefined,
  };
  const microphone: Microphone = {
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
  return { speaker, microphone, played, feed: (f: Int16Array) => feed?.(f) };
}

/** Speech-like test signal: speech-shaped noise in ~4 syllables a second with pauses. */
function talker(seconds: number, levelDbfs: number, seed: number): Int16Array {
  const n = seconds * 48000;
  const noise = new SpeechShapedNoise({ levelDbfs, seed }).next(n);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / 48000;
    const env = Math.max(0, Math.sin(2 * Math.PI * 2 * t)) * (Math.floor(t / 1.5) % 3 === 2 ? 0.1 : 1);
    out[i] = Math.round(noise[i]! * env * 32768 * 1.6);
  }
  return out;
}

const energy = (a: ArrayLike<number>, from = 0, to = a.length) => {
  let e = 0;
  for (let i = from; i < to; i++) e += a[i]! * a[i]!;
  return e;
};

/** The officer talks through the speaker into an echoing room; returns the echo at the microphone and what the call got. */
async function officerTalks(processor: VoiceProcessorFactory | null, seconds = 6) {
  const d = devices();
  const audio = new CallAudio({ microphone: d.microphone, speaker: d.speaker, processor, logger: silent });
  const path = new EchoPath({ delayMs: 40, lossDb: 0, seed: 2 });
  const officer = talker(seconds, -20, 1);
  const sent: number[] = [];
  const echoes: number[] = [];
  await audio.microphone.start((pcm) => sent.push(...pcm));
  for (let i = 0; i + FRAME <= officer.length; i += FRAME) {
    audio.speaker.write(officer.subarray(i, i + FRAME), 48000, 1);
    const echo = path.process(d.played.at(-1)!);
    const frame = Int16Array.from(echo, (e) => Math.round(e * 32768));
    echoes.push(...frame);
    d.feed(frame);
  }
  await audio.microphone.stop();
  return { sent, echoes };
}

describe('CallAudio', () => {
  it('with WebRTC audio processing the officer does not hear himself: the echo sent back is > 30 dB down once converged; raw, it comes back whole', async () => {
    const processed = await officerTalks(await loadVoiceEngine({ echo: 'webrtc', noise: 'webrtc' }));
    const from = 2 * 48000;
    const attenuation = 10 * Math.log10(energy(processed.echoes, from) / Math.max(1, energy(processed.sent, from)));
    expect(attenuation).toBeGreaterThan(30);

    const raw = await officerTalks(null, 3);
    const rawAttenuation = 10 * Math.log10(energy(raw.echoes, from) / Math.max(1, energy(raw.sent, from)));
    expect(Math.abs(rawAttenuation)).toBeLessThan(0.5);
  });

  it('gives the echo canceller exactly what the device played: limited, down-mixed, in 10 ms frames, whatever the chunk sizes', async () => {
    const rendered: Int16Array[] = [];
    const recorder: VoiceProcessorFactory = () => ({
      name: 'recorder',
      render: (f) => rendered.push(Int16Array.from(f)),
      capture: () => ({ voice: false, echo: false }),
      metrics: () => ({ delayMs: 0, erleDb: 0 }),
      close: () => undefined,
    });
    const d = devices();
    const audio = new CallAudio({ microphone: d.microphone, speaker: d.speaker, processor: recorder, limiter: { gainDb: 12 }, logger: silent });
    await audio.microphone.start(() => undefined);
    const stereo = talker(1, -12, 3); // interleaved L/R, loud enough that +12 dB needs limiting
    let fed = 0;
    for (let i = 0; i < stereo.length; ) {
      const n = 2 * (100 + ((i / 2) % 300)); // odd chunk sizes, whole stereo frames
      audio.speaker.write(stereo.subarray(i, i + n), 48000, 2);
      i += n;
      // The microphone keeps its 10 ms pace; each of its frames takes one reference frame.
      for (; fed < Math.floor(i / 2 / FRAME); fed++) d.feed(new Int16Array(FRAME));
    }
    const device = Int16Array.from(d.played.flatMap((c) => [...c]));
    const ceiling = Math.round(10 ** (-1 / 20) * 32767);
    expect(Math.max(...device.map(Math.abs))).toBeLessThanOrEqual(ceiling);
    const mono = Int16Array.from({ length: device.length / 2 }, (_, i) => (device[2 * i]! + device[2 * i + 1]!) >> 1);
    const reference = Int16Array.from(rendered.flatMap((f) => [...f]));
    expect(rendered.every((f) => f.length === FRAME)).toBe(true);
    expect(reference.length).toBe(Math.floor(mono.length / FRAME) * FRAME);
    expect([...reference]).toEqual([...mono.subarray(0, reference.length)]);
    await audio.microphone.stop();
  });

  it('the limiter leaves a normal voice alone (only delayed by its look-ahead) and keeps a shout below the ceiling', async () => {
    const d = devices();
    const audio = new CallAudio({ microphone: d.microphone, speaker: d.speaker, processor: null, logger: silent });
    const quiet = talker(1, -30, 4);
    audio.speaker.write(quiet, 48000, 1);
    const out = d.played[0]!;
    const lag = 72; // 1.5 ms at 48 kHz
    expect([...out.subarray(lag)]).toEqual([...quiet.subarray(0, quiet.length - lag)]);
    const shout = Int16Array.from(talker(1, -3, 5), (s) => Math.max(-32768, Math.min(32767, s * 4)));
    audio.speaker.write(shout, 48000, 1);
    expect(Math.max(...d.played[1]!.map(Math.abs))).toBeLessThanOrEqual(Math.round(10 ** (-1 / 20) * 32767));
  });

  it('reports the raw input level and "speaking" from the voice detector, and keeps audio flowing when the engine fails', async () => {
    let voice = false;
    let fail = false;
    const engine = (): VoiceProcessor => ({
      name: 'scripted',
      render: () => undefined,
      capture: (f) => {
        if (fail) throw new Error('engine broke');
        f.fill(0);
        return { voice, echo: false };
      },
      metrics: () => ({ delayMs: 0, erleDb: 0 }),
      close: () => undefined,
    });
    const d = devices();
    const audio = new CallAudio({ microphone: d.microphone, speaker: d.speaker, processor: engine, logger: silent });
    const reports: VoiceActivity[] = [];
    audio.on('activity', (a) => reports.push(a));
    const sent: Int16Array[] = [];
    await audio.microphone.start((pcm) => sent.push(Int16Array.from(pcm)));
    const tone = Int16Array.from({ length: FRAME }, (_, i) => Math.round(0.1 * 32767 * Math.sin((2 * Math.PI * 1000 * i) / 48000)));
    for (let i = 0; i < 50; i++) d.feed(Int16Array.from(tone));
    expect(reports.at(-1)).toEqual({ inputDbfs: expect.closeTo(-23, 0) as number, speaking: false });
    voice = true;
    for (let i = 0; i < 50; i++) d.feed(Int16Array.from(tone));
    expect(reports.at(-1)!.speaking).toBe(true);
    fail = true;
    d.feed(Int16Array.from(tone));
    expect([...sent.at(-1)!]).toEqual([...tone]);
    await audio.microphone.stop();
  });
});
