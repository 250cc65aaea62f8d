/**
 * The kiosk's interface to an audio processing engine: one instance per call,
 * fed 10 ms mono frames at 48 kHz. render() gets exactly what the speaker
 * played (the echo canceller's reference); capture() cleans a microphone
 * frame in place: echo cancellation → noise suppression → gain control.
 */
export interface VoiceProcessor {
  readonly name: string;
  render(frame: Int16Array): void;
  capture(frame: Int16Array): CaptureActivity;
  metrics(): VoiceProcessorMetrics;
  close(): void;
}

export interface CaptureActivity {
  /** The engine's voice detector heard speech in this frame (after echo removal). */
  voice: boolean;
  /** The frame may still have held echo of the speaker before processing. */
  echo: boolean;
}

export interface VoiceProcessorMetrics {
  /** The echo canceller's estimate of the speaker → microphone delay, ms. */
  delayMs: number;
  /** Echo return loss enhancement (how much echo it removes), dB; the engine's own estimate. */
  erleDb: number;
}

export interface VoiceProcessorOptions {
  echoCancellation?: boolean;
  /** -1 off, 0 low … 3 very high. */
  noiseSuppression?: number;
  gainControl?: boolean;
  /** 0 low, 1 moderate, 2 high: residual echo suppression, traded against double talk. */
  echoSuppression?: number;
  /** The transient (click, knock, slammed door) suppressor that comes with APM 0.3. */
  transientSuppression?: boolean;
  /** Echo tail a linear canceller without a delay estimate (speexdsp's MDF) covers: delay + decay, ms. */
  echoTailMs?: number;
  /** A hint for the speaker → microphone delay, ms; the echo canceller estimates the real one. */
  delayHintMs?: number;
}

export type VoiceProcessorFactory = (opts?: VoiceProcessorOptions) => VoiceProcessor;
