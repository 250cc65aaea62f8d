import type { AudioProcessor, AudioProcessorOptions, EchoCanceller, EchoCancellerOptions } from '@helppoint/audio-processing';
import type { AudioStage } from './StagedVoiceProcessor.ts';
import type { RnnoiseSuppressor } from './RnnoiseSuppressor.ts';

/** The addon's classes (kiosk/native/audio-processing). */
export interface NativeAudio {
  AudioProcessor: new (opts?: AudioProcessorOptions) => AudioProcessor;
  EchoCanceller: new (opts?: EchoCancellerOptions) => EchoCanceller;
}

/**
 * WebRTC's APM 0.3 as one stage: whatever of AEC, NS, AGC and VAD `opts` switches on, in APM's own
 * order (high-pass → AEC → NS → AGC). The reference is only passed on when its AEC is on.
 */
export function apmStage(native: NativeAudio, opts: AudioProcessorOptions, delayHintMs: number): AudioStage {
  const apm = new native.AudioProcessor({ sampleRate: 48000, ...opts });
  const aec = opts.echoCancellation !== false;
  return {
    ...(aec ? { render: (f: Int16Array) => apm.render(f) } : {}),
    capture(frame) {
      const flags = apm.capture(frame, delayHintMs);
      return { ...(opts.voiceDetection !== false ? { voice: (flags & 1) !== 0 } : {}), echo: (flags & 2) !== 0 };
    },
    metrics() {
      if (!aec) return {};
      const m = apm.metrics();
      return { delayMs: m.delayMedianMs, erleDb: m.erleDb };
    },
    close: () => apm.close(),
  };
}

/** speexdsp's MDF linear canceller with its residual echo suppressor; no delay estimate (the filter spans the delay). */
export function speexEchoStage(native: NativeAudio, opts: EchoCancellerOptions): AudioStage {
  const ec = new native.EchoCanceller({ sampleRate: 48000, ...opts });
  return {
    render: (f) => ec.render(f),
    capture(frame) {
      ec.capture(frame);
      return {};
    },
    close: () => ec.close(),
  };
}

/** RNNoise's probability above which a frame counts as the resident speaking (its own examples use 0.5–0.6). */
const RNNOISE_VOICE = 0.6;

/** RNNoise noise suppression; its voice probability is the chain's "resident is speaking". */
export function rnnoiseStage(rnnoise: RnnoiseSuppressor): AudioStage {
  return {
    capture: (frame) => ({ voice: rnnoise.process(frame) >= RNNOISE_VOICE }),
    close: () => rnnoise.close(),
  };
}
