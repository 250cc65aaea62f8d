import { createRequire } from 'node:module';
import type { AudioProcessorOptions } from '@helppoint/audio-processing';
import { apmStage, rnnoiseStage, speexEchoStage, type NativeAudio } from './engineStages.ts';
import { loadRnnoise } from './RnnoiseSuppressor.ts';
import { StagedVoiceProcessor, type AudioStage } from './StagedVoiceProcessor.ts';
import type { VoiceProcessorFactory, VoiceProcessorOptions } from './VoiceProcessor.ts';

/**
 * Echo cancellers a call's microphone can go through:
 * - webrtc: WebRTC APM 0.3's legacy AEC (delay-agnostic, with its non-linear suppressor);
 * - speex: speexdsp's MDF linear canceller + its preprocessor's residual echo suppressor;
 * - speex+webrtc: MDF first (it takes out most of the echo and keeps the resident in double talk),
 *   then WebRTC's AEC on what is left (its suppressor then rarely has reason to mute the resident).
 */
export const ECHO_CANCELLERS = ['webrtc', 'speex', 'speex+webrtc'] as const;
export type EchoCancellerName = (typeof ECHO_CANCELLERS)[number];

/**
 * Noise suppressors, after the echo canceller and before the gain (WebRTC's adaptive digital AGC in all):
 * - webrtc: APM 0.3's NS; - rnnoise: Xiph's RNNoise (WASM), whose voice probability then says "speaking";
 * - webrtc+rnnoise: APM's NS, then RNNoise on what is left.
 */
export const NOISE_SUPPRESSORS = ['webrtc', 'rnnoise', 'webrtc+rnnoise'] as const;
export type NoiseSuppressorName = (typeof NOISE_SUPPRESSORS)[number];

export interface VoiceEngineChoice {
  echo: EchoCancellerName;
  noise: NoiseSuppressorName;
}

/**
 * Residual echo suppression of the speex canceller for echoSuppression 0, 1, 2: [single talk, double talk] dB.
 * (The measurements quoted in this file's comments predate the mended loudspeaker model of EchoPath, 2026-12-04;
 * re-checked since for the filter length and the delay hint: 150/250 ms and 40/80 ms do not beat 200 ms / 60 ms.)
 * The default (2) is speexdsp's own default; measured behind WebRTC's AEC, −50/−20 let 6 dB more echo through
 * and cost the resident 2 dB more in double talk. Deeper single-talk floors do not help either (bench-audio,
 * speex+webrtc, worst row of six): −50/−15 34.0 dB against 33.9 dB here but re-converging in 1.75 s; with a
 * 300 ms filter −60/−15 29.9 dB against 33.2; −40/−20 33.9 dB, re-converging in 2 s.
 */
const SPEEX_SUPPRESS: readonly (readonly [number, number])[] = [
  [-25, -8],
  [-32, -12],
  [-40, -15],
];

const AGC: AudioProcessorOptions = { agcTargetDbfs: 9, agcCompressionDb: 12 };

export const engineName = (c: VoiceEngineChoice) => `aec=${c.echo} ns=${c.noise}`;

/**
 * Loads what `choice` needs (the addon; RNNoise's WASM, instantiated asynchronously) and returns a
 * factory of one engine per call. Throws with the reason when the addon was not built or cannot load
 * (no libwebrtc-audio-processing1 / libspeexdsp1): main.ts decides what to do.
 */
export async function loadVoiceEngine(choice: VoiceEngineChoice): Promise<VoiceProcessorFactory> {
  const native = createRequire(import.meta.url)('@helppoint/audio-processing') as NativeAudio;
  const rnnoise = choice.noise.includes('rnnoise') ? await loadRnnoise() : null;
  const name = engineName(choice);
  return (opts: VoiceProcessorOptions = {}) => {
    // Measured (bench-audio): every hint from 0 to 40 ms gives the same figures, and against 60 they trade rows
    // rather than win: WebRTC alone converges in 4.75 s instead of 0.25 s at a 10 ms echo (and re-converges at
    // once instead of in 3.5 s); behind MDF, 0.7–2.8 dB more at 10 ms but 2.2 dB less after the path change at
    // 120 ms / 10 dB. A 100 ms hint loses 5 dB at 10 ms. The Pi's ALSA path is 20–120 ms.
    const delayHint = opts.delayHintMs ?? 60;
    const agc = opts.gainControl ?? true;
    const ns = opts.noiseSuppression ?? 3;
    const aec = opts.echoCancellation ?? true;
    const level = opts.echoSuppression ?? 2;
    const webrtcAec = aec && choice.echo.includes('webrtc');
    const webrtcNs = choice.noise.includes('webrtc') ? ns : -1;
    const stages: AudioStage[] = [];
    try {
      if (aec && choice.echo.startsWith('speex')) {
        const [echoSuppressDb, echoSuppressActiveDb] = SPEEX_SUPPRESS[Math.max(0, Math.min(2, level))]!;
        // 200 ms: measured behind WebRTC's AEC, 250/300/400 ms lift some rows (300: 39 dB at 120 ms / 10 dB
        // instead of 34) and sink others (300: 33 dB and 8 dB of double-talk loss at 10 ms / 0 dB; 400: 27 dB).
        stages.push(speexEchoStage(native, { filterMs: opts.echoTailMs ?? 200, echoSuppressDb, echoSuppressActiveDb }));
      }
      const apm = { echoCancellation: webrtcAec, echoSuppression: level, transientSuppression: opts.transientSuppression ?? false };
      if (choice.echo === 'webrtc' && choice.noise === 'webrtc') {
        // WebRTC alone: one APM in its own order (high-pass → AEC → NS → AGC), its VAD says "speaking".
        stages.push(apmStage(native, { ...apm, noiseSuppression: webrtcNs, ...AGC, gainControl: agc }, delayHint));
      } else {
        // The gain gets an APM of its own, after everything else: measured, an AGC in the same APM as the
        // AEC behind MDF let through 6 dB more echo and cost the resident 6 dB more in double talk.
        const useRnnoise = rnnoise !== null && ns >= 0;
        stages.push(apmStage(native, { ...apm, noiseSuppression: webrtcNs, gainControl: false, voiceDetection: !useRnnoise }, delayHint));
        if (useRnnoise) stages.push(rnnoiseStage(rnnoise()));
        if (agc) stages.push(apmStage(native, { echoCancellation: false, noiseSuppression: -1, highPass: false, ...AGC, gainControl: true, voiceDetection: false }, delayHint));
      }
      return new StagedVoiceProcessor(name, stages);
    } catch (err) {
      for (const s of stages) s.close();
      throw err;
    }
  };
}
