import RNNoise, { type RnnoiseModule } from '@echogarden/rnnoise-wasm';
import { AudioEngineError } from './audioErrors.ts';

/** RNNoise's frame: 10 ms at 48 kHz, the kiosk chain's own frame. */
export const RNNOISE_FRAME = 480;

/** One call's RNNoise state: a recurrent network that learned speech from noise (Xiph's RNNoise, WASM). */
export class RnnoiseSuppressor {
  readonly #mod: RnnoiseModule;
  #state: number;
  readonly #buf: number;

  constructor(mod: RnnoiseModule) {
    this.#mod = mod;
    this.#state = mod._rnnoise_create(0);
    this.#buf = mod._malloc(RNNOISE_FRAME * 4);
    if (!this.#state || !this.#buf) throw new Error('RNNoise: out of WASM memory');
  }

  /** Denoises a frame in place; returns RNNoise's probability that it holds speech, 0..1. */
  process(frame: Int16Array): number {
    if (!this.#state) throw new AudioEngineError('audio_engine_closed', 'RNNoise state is closed');
    if (frame.length !== RNNOISE_FRAME) throw new AudioEngineError('bad_audio_frame', `frame must hold exactly ${RNNOISE_FRAME} samples (10 ms mono), got ${frame.length}`);
    // RNNoise works on floats at 16-bit scale; the heap view is taken anew since WASM memory may grow.
    const heap = this.#mod.HEAPF32;
    const at = this.#buf >> 2;
    for (let i = 0; i < RNNOISE_FRAME; i++) heap[at + i] = frame[i]!;
    const vad = this.#mod._rnnoise_process_frame(this.#state, this.#buf, this.#buf);
    const out = this.#mod.HEAPF32;
    for (let i = 0; i < RNNOISE_FRAME; i++) {
      const v = Math.round(out[at + i]!);
      frame[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
    }
    return vad;
  }

  close(): void {
    if (!this.#state) return;
    this.#mod._rnnoise_destroy(this.#state);
    this.#mod._free(this.#buf);
    this.#state = 0;
  }
}

/** Loads the WASM module once (it is instantiated asynchronously); states are then created per call. */
export async function loadRnnoise(): Promise<() => RnnoiseSuppressor> {
  const mod = await RNNoise();
  if (mod._rnnoise_get_frame_size() !== RNNOISE_FRAME) throw new Error(`RNNoise build uses ${mod._rnnoise_get_frame_size()}-sample frames, the chain needs ${RNNOISE_FRAME}`);
  return () => new RnnoiseSuppressor(mod);
}
