import type { Logger } from 'pino';
import { MeasuringSpeaker } from './MeasuringSpeaker.ts';
import { LevelMeter } from './LevelMeter.ts';
import { MIC_SAMPLE_RATE, type Microphone } from './Microphone.ts';
import type { Speaker, SpeakerLevel } from './Speaker.ts';
import { ToneMicrophone, type ToneMicrophoneOptions } from './ToneMicrophone.ts';

export interface SimRoomOptions {
  /** The "resident" the microphone hears: a tone, as ToneMicrophone makes it. */
  voice?: ToneMicrophoneOptions;
  /** How much quieter the speaker is at the microphone (the air between them), dB. */
  acousticLossDb?: number;
  logger?: Logger;
}

/** Longest echo kept waiting for the microphone (1 s); older audio is dropped. */
const MAX_ECHO_SAMPLES = MIC_SAMPLE_RATE;

/**
 * A simulated enclosure: what the speaker plays reaches the microphone
 * (attenuated), mixed with the resident's voice tone. Without this loop the
 * speaker→microphone self-test could never pass or fail on a simulated
 * terminal. Faults make either end go dead.
 */
export class SimRoom {
  readonly speaker: Speaker & { readonly level: SpeakerLevel };
  readonly microphone: Microphone;
  readonly faults = { speakerDead: false, micDead: false };
  readonly #gain: number;
  #echo: Int16Array[] = [];
  #echoSamples = 0;

  constructor(opts: SimRoomOptions = {}) {
    this.#gain = 10 ** (-(opts.acousticLossDb ?? 12) / 20);
    const measuring = new MeasuringSpeaker();
    const tone = new ToneMicrophone({ ...opts.voice, ...(opts.logger ? { logger: opts.logger } : {}) });
    const pushEcho = (samples: Int16Array) => this.#pushEcho(samples);
    const faults = this.faults;
    // The microphone's meter hears the room (voice, echo, or a dead capsule's silence), not the bare tone.
    const micMeter = new LevelMeter();
    this.speaker = {
      get level() {
        return measuring.level;
      },
      write(samples, sampleRate, channels) {
        measuring.write(samples, sampleRate, channels);
        // Only 48 kHz mono is looped back; anything else is still measured.
        if (!faults.speakerDead && sampleRate === MIC_SAMPLE_RATE && channels === 1) pushEcho(samples);
      },
      close: () => measuring.close(),
    };
    this.microphone = {
      sampleRate: MIC_SAMPLE_RATE,
      channels: 1,
      get framesDelivered() {
        return tone.framesDelivered;
      },
      get level() {
        return micMeter.level;
      },
      start: (onPcm) => {
        this.#echo = [];
        this.#echoSamples = 0;
        return tone.start((frame) => {
          const heard = this.faults.micDead ? new Int16Array(frame.length) : this.#mix(frame);
          micMeter.record(heard);
          onPcm(heard);
        });
      },
      stop: () => tone.stop(),
    };
  }

  #pushEcho(samples: Int16Array): void {
    this.#echo.push(Int16Array.from(samples));
    this.#echoSamples += samples.length;
    while (this.#echoSamples > MAX_ECHO_SAMPLES && this.#echo.length > 0) this.#echoSamples -= this.#echo.shift()!.length;
  }

  #mix(frame: Int16Array): Int16Array {
    let i = 0;
    while (i < frame.length && this.#echo.length > 0) {
      const head = this.#echo[0]!;
      const n = Math.min(head.length, frame.length - i);
      for (let k = 0; k < n; k++) frame[i + k] = Math.max(-32768, Math.min(32767, frame[i + k]! + Math.round(head[k]! * this.#gain)));
      i += n;
      this.#echoSamples -= n;
      if (n === head.length) this.#echo.shift();
      else this.#echo[0] = head.subarray(n);
    }
    return frame;
  }
}
