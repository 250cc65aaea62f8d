/** Stable codes an audio engine's errors carry (the native addon's `code` uses the same). */
export type AudioEngineErrorCode = 'bad_audio_frame' | 'audio_engine_closed' | 'bad_audio_engine_options';

/** A frame the chain handed an engine that it cannot take, or an engine used after close(): a bug in the chain, not in the engine. */
export class AudioEngineError extends Error {
  readonly code: AudioEngineErrorCode;
  constructor(code: AudioEngineErrorCode, message: string) {
    super(message);
    this.name = 'AudioEngineError';
    this.code = code;
  }
}
