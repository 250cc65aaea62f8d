import { createRequire } from 'node:module';
import type { AudioProcessor as NativeProcessor, AudioProcessorOptions } from '@helppoint/audio-processing';
import type { VoiceProcessor, VoiceProcessorFactory, VoiceProcessorOptions, VoiceProcessorMetrics, CaptureActivity } from './VoiceProcessor.ts';

type NativeModule = { AudioProcessor: new (opts?: AudioProcessorOptions) => NativeProcessor };

/**
 * WebRTC's audio processing module (Debian's libwebrtc-audio-processing 0.3,
 * the one PulseAudio's echo-cancel module uses) through the kiosk's addon
 * (kiosk/native/audio-processing). Delay-agnostic AEC with the extended
 * filter, since nobody reports the ffmpeg + ALSA buffering on the speaker
 * side; NS; adaptive digital AGC with its limiter; VAD.
 */
class WebRtcVoiceProcessor implements VoiceProcessor {
  readonly name = 'webrtc-apm-0.3';
  readonly #apm: NativeProcessor;
  readonly #delayHintMs: number;
  #closed = false;

  constructor(native: NativeModule, opts: VoiceProcessorOptions) {
    this.#delayHintMs = opts.delayHintMs ?? 60;
    this.#apm = new native.AudioProcessor({
      sampleRate: 48000,
      echoCancellation: opts.echoCancellation ?? true,
      echoSuppression: opts.echoSuppression ?? 2,
      noiseSuppression: opts.noiseSuppression ?? 3,
      gainControl: opts.gainControl ?? true,
      agcTargetDbfs: 9,
      agcCompressionDb: 12,
      transientSuppression: opts.transientSuppression ?? false,
    });
  }

  render(frame: Int16Array): void {
    if (!this.#closed) this.#apm.render(frame);
  }

  capture(frame: Int16Array): CaptureActivity {
    if (this.#closed) return { voice: false, echo: false };
    const flags = this.#apm.capture(frame, this.#delayHintMs);
    return { voice: (flags & 1) !== 0, echo: (flags & 2) !== 0 };
  }

  metrics(): VoiceProcessorMetrics {
    if (this.#closed) return { delayMs: 0, erleDb: 0 };
    const m = this.#apm.metrics();
    return { delayMs: m.delayMedianMs, erleDb: m.erleDb };
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#apm.close();
  }
}

/**
 * Loads the addon. Throws with the reason when it was not built (no
 * libwebrtc-audio-processing-dev at npm install) or cannot load (no
 * libwebrtc-audio-processing1 at run time): main.ts decides what to do.
 */
export function loadWebRtcVoiceProcessor(): VoiceProcessorFactory {
  const require = createRequire(import.meta.url);
  const native = require('@helppoint/audio-processing') as NativeModule;
  return (opts = {}) => new WebRtcVoiceProcessor(native, opts);
}
