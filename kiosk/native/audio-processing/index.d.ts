export interface AudioProcessorOptions {
  /** 8000, 16000, 32000 or 48000 (default 48000); frames are 10 ms of mono. */
  sampleRate?: number;
  echoCancellation?: boolean;
  /** 0 low, 1 moderate, 2 high (default): more suppression of residual echo, more loss in double talk. */
  echoSuppression?: number;
  /** -1 off, 0 low .. 3 very high (default 2). */
  noiseSuppression?: number;
  gainControl?: boolean;
  /** AGC target peak level in dB below full scale (default 9). */
  agcTargetDbfs?: number;
  /** Most gain the AGC adds, dB (default 12). */
  agcCompressionDb?: number;
  highPass?: boolean;
  voiceDetection?: boolean;
  delayAgnostic?: boolean;
  extendedFilter?: boolean;
  /** APM 0.3's experimental NS: a transient (click, knock) suppressor. */
  transientSuppression?: boolean;
}

export interface AudioProcessorMetrics {
  delayMedianMs: number;
  delayStdMs: number;
  fractionPoorDelays: number;
  erlDb: number;
  erleDb: number;
  aNlpDb: number;
}

export declare class AudioProcessor {
  constructor(opts?: AudioProcessorOptions);
  readonly frameSamples: number;
  /** The far-end reference: exactly one 10 ms mono frame of what the speaker played. */
  render(frame: Int16Array): void;
  /** Processes one 10 ms microphone frame in place; returns bit 0 = voice detected, bit 1 = echo present. */
  capture(frame: Int16Array, streamDelayMs?: number): number;
  metrics(): AudioProcessorMetrics;
  close(): void;
}

export interface EchoCancellerOptions {
  /** 8000, 16000, 32000 or 48000 (default 48000); frames are 10 ms of mono. */
  sampleRate?: number;
  /** Echo tail the adaptive filter covers, ms (delay + decay; default 200, 10..1000). */
  filterMs?: number;
  /** Most attenuation of residual echo while the near end is silent, dB, negative (default -40); 0 with noiseSuppressDb 0: the linear filter alone, no preprocessor (and none of its 10 ms delay). */
  echoSuppressDb?: number;
  /** The same while the near end talks (double talk), dB, negative (default -15). */
  echoSuppressActiveDb?: number;
  /** Most attenuation of stationary noise by the same preprocessor, dB, negative; 0 (default) leaves noise alone. */
  noiseSuppressDb?: number;
}

/**
 * speexdsp's MDF echo canceller and its preprocessor's residual echo suppressor (Debian's libspeexdsp1).
 * Errors carry `code`: bad_audio_frame (not an Int16Array of frameSamples), audio_engine_closed, bad_audio_engine_options.
 */
export declare class EchoCanceller {
  constructor(opts?: EchoCancellerOptions);
  readonly frameSamples: number;
  /** The speaker frame played alongside the next capture. */
  render(frame: Int16Array): void;
  /** Removes the echo from one 10 ms microphone frame in place; returns the preprocessor's speech probability, 0..100 (-1 without it). */
  capture(frame: Int16Array): number;
  close(): void;
}
