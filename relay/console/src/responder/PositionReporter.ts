export type SendPosition = (p: { latitude: number; longitude: number; accuracyM?: number }) => Promise<void>;

/**
 * While on duty, reads the phone's position every `intervalMs` (a bounded
 * rate: the relay refuses reports closer than 2 s apart) and hands it on.
 * Nothing is read or sent while off duty.
 */
export class PositionReporter {
  readonly #send: SendPosition;
  readonly #onError: (message: string) => void;
  readonly #intervalMs: number;
  #timer: ReturnType<typeof setInterval> | null = null;
  #busy = false;

  constructor(opts: { send: SendPosition; onError: (message: string) => void; intervalMs?: number }) {
    this.#send = opts.send;
    this.#onError = opts.onError;
    this.#intervalMs = opts.intervalMs ?? 3_000;
  }

  get running(): boolean {
    return this.#timer !== null;
  }

  start(): void {
    if (this.#timer) return;
    if (!('geolocation' in navigator)) {
      this.#onError('此浏览器不提供定位 This browser offers no location');
      return;
    }
    this.#read();
    this.#timer = setInterval(() => this.#read(), this.#intervalMs);
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  #read(): void {
    if (this.#busy) return;
    this.#busy = true;
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        const p = { latitude: pos.coords.latitude, longitude: pos.coords.longitude, accuracyM: Math.round(pos.coords.accuracy) };
        this.#send(p).then(
          () => (this.#busy = false),
          (error: unknown) => {
            this.#busy = false;
            this.#onError(error instanceof Error ? error.message : String(error));
          },
        );
      },
      (error) => {
        this.#busy = false;
        this.#onError(`定位失败 Location failed: ${error.message}`);
      },
      { enableHighAccuracy: true, maximumAge: 2_000, timeout: 10_000 },
    );
  }
}
