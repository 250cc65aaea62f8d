import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { EchoCanceller } from '@helppoint/audio-processing';
import { describe, expect, it } from 'vitest';
import { decodeWav, resample } from '../voice/wav.ts';
import { AudioConfigError, DEFAULT_VOICE_ENGINE, loadAudioProcessingConfig } from './audioConfig.ts';
import { EchoPath } from './EchoPath.ts';
import { SpeechShapedNoise } from './noise.ts';
import { loadRnnoise } from './RnnoiseSuppressor.ts';
import { loadVoiceEngine, type VoiceEngineChoice } from './voiceEngines.ts';

const FRAME = 480;
const SPEEX_WEBRTC: VoiceEngineChoice = { echo: 'speex+webrtc', noise: 'webrtc' };
const RATE = 48000;
const PROMPTS = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../prompts/generated');

/** A generated voice prompt (espeak-ng Mandarin) at `dbfs` RMS over its loud part, repeated to `seconds`. */
function voice(name: string, dbfs: number, seconds: number): Int16Array {
  const pcm = resample(decodeWav(fs.readFileSync(path.join(PROMPTS, `${name}.wav`))));
  let e = 0;
  let n = 0;
  for (const s of pcm) {
    if (Math.abs(s) <= 300) continue;
    e += s * s;
    n++;
  }
  const gain = (32768 * 10 ** (dbfs / 20)) / Math.sqrt(e / Math.max(1, n));
  const out = new Int16Array(seconds * RATE);
  for (let i = 0; i < out.length; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round(pcm[i % (pcm.length + 9600)]! * gain || 0)));
  return out;
}

const energy = (a: ArrayLike<number>, from = 0, to = a.length) => {
  let e = 0;
  for (let i = from; i < to; i++) e += a[i]! * a[i]!;
  return e;
};
const db = (r: number) => 10 * Math.log10(Math.max(r, 1e-12));

/** The officer on the terminal's speaker (echoing back 40 ms later, as loud), the resident at the microphone; what the call gets. */
async function call(choice: VoiceEngineChoice, officer: Int16Array, resident: Int16Array | null) {
  const engine = (await loadVoiceEngine(choice))({ gainControl: false });
  const room = new EchoPath({ delayMs: 40, lossDb: 0, seed: 4 });
  const echo = new Float32Array(officer.length);
  const sent = new Float32Array(officer.length);
  for (let i = 0; i + FRAME <= officer.length; i += FRAME) {
    const ref = officer.slice(i, i + FRAME);
    const e = room.process(ref);
    const mic = new Int16Array(FRAME);
    for (let k = 0; k < FRAME; k++) {
      echo[i + k] = e[k]! * 32768;
      mic[k] = Math.max(-32768, Math.min(32767, Math.round(echo[i + k]! + (resident?.[i + k] ?? 0))));
    }
    engine.render(ref);
    engine.capture(mic);
    sent.set(mic, i);
  }
  engine.close();
  return { echo, sent };
}

/**
 * How much of the resident the call loses while the officer talks over them, dB (frames where both are active).
 * The resident starts after the officer has talked for 8 s, as in scripts/bench-audio (after 4 s speex+webrtc loses 6.2 dB).
 */
async function doubleTalkLoss(choice: VoiceEngineChoice): Promise<number> {
  const officer = voice('connecting', -20, 16);
  const resident = voice('answered', -28, 16).fill(0, 0, 8 * RATE);
  const both = await call(choice, officer, resident);
  const alone = await call(choice, new Int16Array(officer.length), resident);
  let eBoth = 0;
  let eAlone = 0;
  for (let i = 8 * RATE; i + 960 <= officer.length; i += 960) {
    if (energy(resident, i, i + 960) < 960 * 300 ** 2 || energy(both.echo, i, i + 960) < 960 * 300 ** 2) continue;
    eBoth += energy(both.sent, i, i + 960);
    eAlone += energy(alone.sent, i, i + 960);
  }
  return db(eAlone / eBoth);
}

describe('voice engines', () => {
  it('speexdsp MDF, then WebRTC AEC, sends the officer less than −30 dB of his own voice once converged', async () => {
    const officer = voice('connecting', -20, 8);
    const { echo, sent } = await call(SPEEX_WEBRTC, officer, null);
    expect(db(energy(echo, 2 * RATE) / energy(sent, 2 * RATE))).toBeGreaterThan(30);
  });

  it("in double talk the resident's voice still comes through speexdsp + WebRTC (< 6 dB lost), where WebRTC alone mutes it (> 10 dB)", async () => {
    expect(await doubleTalkLoss(SPEEX_WEBRTC)).toBeLessThan(6);
    expect(await doubleTalkLoss({ echo: 'webrtc', noise: 'webrtc' })).toBeGreaterThan(10);
  });

  it('speexdsp alone removes the bulk of the echo (> 15 dB) without any WebRTC AEC', async () => {
    const officer = voice('connecting', -20, 8);
    const { echo, sent } = await call({ echo: 'speex', noise: 'webrtc' }, officer, null);
    expect(db(energy(echo, 4 * RATE) / energy(sent, 4 * RATE))).toBeGreaterThan(15);
  });

  it('RNNoise takes street-like noise down by > 10 dB while a voice alone keeps its level (< 3 dB lost)', async () => {
    const make = await loadRnnoise();
    const rn = make();
    const noise = new SpeechShapedNoise({ levelDbfs: -40, seed: 9 }).next(4 * RATE);
    const noisy = Int16Array.from(noise, (x) => Math.round(x * 32768));
    const cleanVoice = voice('answered', -28, 4);
    const outNoise = new Float32Array(noisy.length);
    const outVoice = new Float32Array(noisy.length);
    for (let i = 0; i + FRAME <= noisy.length; i += FRAME) {
      const f = noisy.slice(i, i + FRAME);
      rn.process(f);
      outNoise.set(f, i);
    }
    rn.close();
    const rv = make();
    for (let i = 0; i + FRAME <= cleanVoice.length; i += FRAME) {
      const f = cleanVoice.slice(i, i + FRAME);
      rv.process(f);
      outVoice.set(f, i);
    }
    rv.close();
    expect(db(energy(noisy, RATE) / energy(outNoise, RATE))).toBeGreaterThan(10);
    expect(db(energy(cleanVoice, RATE) / energy(outVoice, RATE))).toBeLessThan(3);
  });

  it('a frame of the wrong size, or an engine used after close(), gets an error with a stable code', async () => {
    const native = createRequire(import.meta.url)('@helppoint/audio-processing') as { EchoCanceller: new () => EchoCanceller };
    const ec = new native.EchoCanceller();
    expect(() => ec.capture(new Int16Array(441))).toThrow(expect.objectContaining({ code: 'bad_audio_frame', message: expect.stringContaining('exactly 480 samples') as string }));
    ec.close();
    expect(() => ec.render(new Int16Array(FRAME))).toThrow(expect.objectContaining({ code: 'audio_engine_closed' }));
    const rn = (await loadRnnoise())();
    expect(() => rn.process(new Int16Array(960))).toThrow(expect.objectContaining({ code: 'bad_audio_frame' }));
    rn.close();
    expect(() => rn.process(new Int16Array(FRAME))).toThrow(expect.objectContaining({ code: 'audio_engine_closed' }));
  });

  it('the engine is chosen by HELPPOINT_ECHO_CANCELLER / HELPPOINT_NOISE_SUPPRESSOR; a wrong name is refused with bad_audio_config', () => {
    expect(loadAudioProcessingConfig({}).engine).toEqual(DEFAULT_VOICE_ENGINE);
    expect(loadAudioProcessingConfig({ HELPPOINT_ECHO_CANCELLER: 'webrtc', HELPPOINT_NOISE_SUPPRESSOR: 'rnnoise' }).engine).toEqual({ echo: 'webrtc', noise: 'rnnoise' });
    expect(() => loadAudioProcessingConfig({ HELPPOINT_ECHO_CANCELLER: 'aec3' })).toThrow(AudioConfigError);
    expect(() => loadAudioProcessingConfig({ HELPPOINT_NOISE_SUPPRESSOR: 'krisp' })).toThrow(expect.objectContaining({ code: 'bad_audio_config' }));
  });
});
