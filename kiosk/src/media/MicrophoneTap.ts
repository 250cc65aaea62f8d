import type { AudioLevel } from '../hw/LevelMeter.ts';
import type { Microphone } from '../hw/Microphone.ts';

/**
 * The call's microphone, with a second listener (the pre-press clip takes the
 * first seconds of the resident's voice after the press). The microphone
 * still runs only during a call; the tap sees exactly what the call sends.
 */
export class MicrophoneTap implements Microphone {
  readonly #mic: Microphone;
  readonly #tap: (samples: Int16Array) => void;

  constructor(mic: Microphone, tap: (samples: Int16Array) => void) {
    this.#mic = mic;
    this.#tap = tap;
  }

  get sampleRate(): 48000 {
    return this.#mic.sampleRate;
  }
  get channels(): 1 {
    return this.#mic.channels;
  }
  get framesDelivered(): number {
    return this.#mic.framesDelivered;
  }
  get level(): AudioLevel {
    return this.#mic.level;
  }

  start(onPcm: (samples: Int16Array) => void): Promise<void> {
    return this.#mic.start((samples) => {
      onPcm(samples);
      this.#tap(samples);
    });
  }

  stop(): Promise<void> {
    return this.#mic.stop();
  }
}
