import fs from 'node:fs';
import { decodeWav, resample } from '../voice/wav.ts';
import type { SimRoomOptions } from '../hw/SimRoom.ts';
import { ECHO_CANCELLERS, NOISE_SUPPRESSORS, type VoiceEngineChoice } from './voiceEngines.ts';

/** The call audio chain's settings (HELPPOINT_* variables; kept apart from config.ts's device selection). */
export interface AudioProcessingConfig {
  /** HELPPOINT_AUDIO_PROCESSING=0 sends the raw microphone (for comparison only). */
  enabled: boolean;
  /** HELPPOINT_SPEAKER_GAIN_DB: gain on the officer's voice before the limiter, −20..20 dB. */
  speakerGainDb: number;
  /** HELPPOINT_NOISE_SUPPRESSION: off | low | moderate | high | veryhigh (default: street noise needs the strongest). */
  noiseSuppression: number;
  /** HELPPOINT_ECHO_CANCELLER (webrtc | speex | speex+webrtc) and HELPPOINT_NOISE_SUPPRESSOR (webrtc | rnnoise | webrtc+rnnoise). */
  engine: VoiceEngineChoice;
}

/**
 * The engine a terminal runs unless told otherwise. Measured (scripts/bench-audio, docs/benchmarks.md;
 * test/e2e/echoCancellation.e2e.test.ts): speex+webrtc meets every bench-audio target in three simulated
 * rooms (echo attenuation ≥ 40.8 dB, double-talk loss ≤ 5.7 dB, re-converging in 0.25 s), where WebRTC
 * alone takes 13–22 dB of a resident who talks over the officer and holds only 33 dB at a 10 ms echo.
 * Until the simulated loudspeaker was mended (EchoPath, 2026-12-04) its echo was only 20 dB linear, and
 * speex+webrtc then let −40 dB of the officer back in the end-to-end call where WebRTC alone's heavier
 * suppression gave −66 dB; a speaker driven that hard is a fault to fix on site, not to design the call for.
 * HELPPOINT_ECHO_CANCELLER=webrtc picks WebRTC alone (a third of the CPU). Noise: WebRTC's NS gives +14 dB
 * on street noise for 2.1 dB of speech; RNNoise keeps more of the voice (0.5 dB) for less gain (+12.9 dB)
 * and 5 ms more delay.
 */
export const DEFAULT_VOICE_ENGINE: VoiceEngineChoice = { echo: 'speex+webrtc', noise: 'webrtc' };

export class AudioConfigError extends Error {
  readonly code = 'bad_audio_config';
  constructor(message: string) {
    super(message);
    this.name = 'AudioConfigError';
  }
}

const NS_LEVELS: Record<string, number> = { off: -1, low: 0, moderate: 1, high: 2, veryhigh: 3 };

function num(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new AudioConfigError(`${name} must be a number from ${min} to ${max}, got "${raw}"`);
  return n;
}

export function loadAudioProcessingConfig(env: NodeJS.ProcessEnv): AudioProcessingConfig {
  const ns = env['HELPPOINT_NOISE_SUPPRESSION'] || 'veryhigh';
  if (!(ns in NS_LEVELS)) throw new AudioConfigError(`HELPPOINT_NOISE_SUPPRESSION must be one of ${Object.keys(NS_LEVELS).join(', ')}, got "${ns}"`);
  const echo = env['HELPPOINT_ECHO_CANCELLER'] || DEFAULT_VOICE_ENGINE.echo;
  if (!(ECHO_CANCELLERS as readonly string[]).includes(echo)) throw new AudioConfigError(`HELPPOINT_ECHO_CANCELLER must be one of ${ECHO_CANCELLERS.join(', ')}, got "${echo}"`);
  const noise = env['HELPPOINT_NOISE_SUPPRESSOR'] || DEFAULT_VOICE_ENGINE.noise;
  if (!(NOISE_SUPPRESSORS as readonly string[]).includes(noise)) throw new AudioConfigError(`HELPPOINT_NOISE_SUPPRESSOR must be one of ${NOISE_SUPPRESSORS.join(', ')}, got "${noise}"`);
  return {
    enabled: env['HELPPOINT_AUDIO_PROCESSING'] !== '0',
    engine: { echo, noise } as VoiceEngineChoice,
    speakerGainDb: num(env, 'HELPPOINT_SPEAKER_GAIN_DB', 0, -20, 20),
    noiseSuppression: NS_LEVELS[ns]!,
  };
}

/**
 * The simulated terminal's room (HELPPOINT_SIM_* variables). The defaults are
 * what the demo runs: a 40 ms echo 6 dB down through a short metal-box
 * response, and alley traffic at −50 dBFS; the resident is silent unless
 * HELPPOINT_SIM_RESIDENT is `tone` or a WAV file of speech.
 */
export function loadSimRoomOptions(env: NodeJS.ProcessEnv): SimRoomOptions {
  const noise = env['HELPPOINT_SIM_STREET_NOISE_DBFS'] || '-50';
  const resident = env['HELPPOINT_SIM_RESIDENT'] || 'off';
  const opts: SimRoomOptions = {
    echoDelayMs: num(env, 'HELPPOINT_SIM_ECHO_DELAY_MS', 40, 0, 500),
    acousticLossDb: num(env, 'HELPPOINT_SIM_ECHO_LOSS_DB', 6, -6, 60),
    streetNoiseDbfs: noise === 'off' ? null : num(env, 'HELPPOINT_SIM_STREET_NOISE_DBFS', -50, -100, -10),
    voice: { amplitude: resident === 'tone' ? 0.25 : 0 },
  };
  if (resident !== 'off' && resident !== 'tone') {
    let buf: Buffer;
    try {
      buf = fs.readFileSync(resident);
    } catch (err) {
      throw new AudioConfigError(`HELPPOINT_SIM_RESIDENT: cannot read "${resident}" (${(err as Error).message})`);
    }
    try {
      opts.residentSpeech = resample(decodeWav(buf));
    } catch (err) {
      throw new AudioConfigError(`HELPPOINT_SIM_RESIDENT: "${resident}" is not a usable WAV file (${(err as Error).message})`);
    }
  }
  return opts;
}
