import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeWav, resample } from '../../../kiosk/src/voice/wav.ts';

/** What the officer says in the benchmark and the end-to-end test (Mandarin, espeak-ng). */
export const OFFICER_TEXT =
  '您好，这里是东城派出所值班室，我是民警王警官。请您不要着急，慢慢说，告诉我发生了什么事情。您现在在哪条胡同？身边有没有人受伤？我们的巡逻民警马上就到，请您留在原地，不要挂断。';
/** What the resident says: another voice (higher pitch, slower). */
export const RESIDENT_TEXT =
  '警察同志，我家老伴突然摔倒了，叫不醒。我们在南锣鼓巷东边的小胡同里，门口有一棵大槐树。请快点来人帮帮我们，我一个人扶不动他。';

export interface Voice {
  /** espeak-ng pitch 0..99. */
  pitch: number;
  /** Words per minute. */
  speed: number;
}

export const OFFICER_VOICE: Voice = { pitch: 35, speed: 160 };
export const RESIDENT_VOICE: Voice = { pitch: 75, speed: 135 };

/** Mandarin speech from espeak-ng (Debian package espeak-ng, voice cmn), as 48 kHz mono. */
export function speak(text: string, voice: Voice): Int16Array {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helppoint-speech-'));
  try {
    const wav = path.join(dir, 'speech.wav');
    execFileSync('espeak-ng', ['-v', 'cmn', '-p', String(voice.pitch), '-s', String(voice.speed), '-w', wav, text], { stdio: ['ignore', 'ignore', 'pipe'] });
    return resample(decodeWav(fs.readFileSync(wav)));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Scales speech so its active part (frames within 30 dB of the loudest) has this RMS, dBFS. */
export function normalizeActive(samples: Int16Array, activeRmsDbfs: number): Int16Array {
  const frame = 480;
  const energies: number[] = [];
  for (let i = 0; i + frame <= samples.length; i += frame) {
    let e = 0;
    for (let k = 0; k < frame; k++) e += samples[i + k]! ** 2;
    energies.push(e / frame);
  }
  const peak = Math.max(...energies);
  const active = energies.filter((e) => e > peak / 1000);
  const rms = Math.sqrt(active.reduce((a, b) => a + b, 0) / Math.max(1, active.length)) / 32768;
  const gain = 10 ** (activeRmsDbfs / 20) / Math.max(rms, 1e-9);
  return Int16Array.from(samples, (s) => Math.max(-32768, Math.min(32767, Math.round(s * gain))));
}

/** `samples` repeated (with `gapSamples` of silence between repeats) to exactly `length`. */
export function loopTo(samples: Int16Array, length: number, gapSamples = 0): Int16Array {
  const out = new Int16Array(length);
  const period = samples.length + gapSamples;
  for (let i = 0; i < length; i++) {
    const k = i % period;
    out[i] = k < samples.length ? samples[k]! : 0;
  }
  return out;
}
