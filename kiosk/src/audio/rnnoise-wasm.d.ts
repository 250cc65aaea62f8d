// Types for @echogarden/rnnoise-wasm (an Emscripten build of Xiph's RNNoise that ships none):
// only the exports RnnoiseSuppressor uses.
declare module '@echogarden/rnnoise-wasm' {
  export interface RnnoiseModule {
    HEAPF32: Float32Array;
    _malloc(bytes: number): number;
    _free(ptr: number): void;
    _rnnoise_get_frame_size(): number;
    /** model 0: the built-in one. */
    _rnnoise_create(model: number): number;
    _rnnoise_destroy(state: number): void;
    /** Denoises 480 floats at 16-bit scale from `input` into `output` (may be the same); returns the voice probability. */
    _rnnoise_process_frame(state: number, output: number, input: number): number;
  }
  const createRnnoise: () => Promise<RnnoiseModule>;
  export default createRnnoise;
}
