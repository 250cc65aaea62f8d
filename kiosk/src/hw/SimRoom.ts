import type { Logger } from 'pino';
import { MeasuringSpeaker } from './MeasuringSpeaker.ts';
import { LevelMeter } from './LevelMeter.ts';
import { MIC_SAMPLE_RATE, type Microphone } from './Microphone.ts';
import type { Speaker, SpeakerLevel } from './Speaker.ts';
import { ToneMicrophone, type ToneMicrophoneOptions } from './ToneMicrophone.ts';
import { EchoPath, type EchoPathOptions } from '../audio/EchoPath.ts';
import { StreetNoise, type NoiseSource } from '../audio/noise.ts';

export interface SimRoomOptions {
  /** A resident tone the microphone hears (ToneMicrophone's; amplitude 0 for none). Default: a 440 Hz tone at 0.25. */
  voice?: ToneMicrophoneOptions;
  /** A resident speaking: 48 kHz mono speech, looped while the microphone runs (with a pause between repeats). */
  residentSpeech?: Int16Array;
  /** Gain of residentSpeech, dB. */
  residentGainDb?: number;
  /** How much quieter the speaker is at the microphone (the air between them), dB. */
  acousticLossDb?: number;
  /** Speaker → microphone delay beyond the room's own buffering, ms. */
  echoDelayMs?: number;
  /** Decay of the enclosure's reflections (RT60), ms. */
  rt60Ms?: number;
  /** Loudspeaker non-linearity 0..1. */
  distortion?: number;
  /** Street noise at the microphone, dBFS RMS; null (default) for a quiet room. */
  streetNoiseDbfs?: number | null;
  /** Seed of the reflections and the noise, so a run can be repeated. */
  seed?: number;
  logger?: Logger;
}

/** The simulated sound card's playback buffer: it starts playing once this much is queued (again after an underrun). */
const PLAYBACK_PREFILL_SAMPLES = (MIC_SAMPLE_RATE * 30) / 1000;
/** Longest echo kept waiting for the microphone (1 s); older audio is dropped. */
const MAX_ECHO_SAMPLES = MIC_SAMPLE_RATE;
/** Silence between two repeats of the resident's speech. */
const RESIDENT_PAUSE_SAMPLES = MIC_SAMPLE_RATE * 2;

/**
 * A simulated terminal enclosure in an alley: what the speaker plays comes
 * back into the microphone after a delay, through a decaying room response
 * with a little loudspeaker distortion (EchoPath), mixed with street noise and
 * the resident (a tone and/or recorded speech). Without this loop the
 * speaker→microphone self-test could never pass or fail on a simulated
 * terminal, and the echo canceller would have nothing to cancel. Faults make
 * either end go dead.
 */
export class SimRoom {
  readonly speaker: Speaker & { readonly level: SpeakerLevel };
  readonly microphone: Microphone;
  readonly faults = { speakerDead: false, micDead: false };
  readonly #path: EchoPath;
  readonly #noise: NoiseSource | null;
  readonly #speech: Int16Array | null;
  readonly #speechGain: number;
  #speechPos = 0;
  #echo: Int16Array[] = [];
  #echoSamples = 0;
  #playing = false;

  constructor(opts: SimRoomOptions = {}) {
    this.#path = new EchoPath({
      delayMs: opts.echoDelayMs ?? 40,
      lossDb: opts.acousticLossDb ?? 12,
      ...(opts.rt60Ms !== undefined ? { rt60Ms: opts.rt60Ms } : {}),
      ...(opts.distortion !== undefined ? { distortion: opts.distortion } : {}),
      seed: opts.seed ?? 1,
    });
    this.#noise = opts.streetNoiseDbfs == null ? null : new StreetNoise({ levelDbfs: opts.streetNoiseDbfs, seed: (opts.seed ?? 1) + 100 });
    this.#speech = opts.residentSpeech && opts.residentSpeech.length > 0 ? opts.residentSpeech : null;
    this.#speechGain = 10 ** ((opts.residentGainDb ?? 0) / 20);
    const measuring = new MeasuringSpeaker();
    // A stalled event loop must not make the simulated capture lose samples against the speaker
    // (a real card keeps both on one crystal, and its capture pipe buffers): catch up in a burst
    // of up to 3 s instead of skipping.
    const tone = new ToneMicrophone({ maxBurstFrames: 300, ...opts.voice, ...(opts.logger ? { logger: opts.logger } : {}) });
    const pushEcho = (samples: Int16Array, channels: number) => this.#pushEcho(samples, channels);
    const faults = this.faults;
    // The microphone's meter hears the room (voice, echo, noise, or a dead capsule's silence), not the bare tone.
    const micMeter = new LevelMeter();
    this.speaker = {
      get level() {
        return measuring.level;
      },
      write(samples, sampleRate, channels) {
        measuring.write(samples, sampleRate, channels);
        // Only 48 kHz mono or stereo reaches the room; anything else is still measured.
        if (!faults.speakerDead && sampleRate === MIC_SAMPLE_RATE && (channels === 1 || channels === 2)) pushEcho(samples, channels);
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
        this.#playing = false;
        return tone.start((frame) => {
          const heard = this.faults.micDead ? new Int16Array(frame.length) : this.#mix(frame);
          micMeter.record(heard);
          onPcm(heard);
        });
      },
      stop: () => tone.stop(),
    };
  }

  /** The room changes (the door opened, a van parked alongside): the echo canceller must follow. */
  changeEchoPath(opts: Partial<EchoPathOptions>): void {
    this.#path.setPath({ ...this.#path.options, ...opts });
  }

  #pushEcho(samples: Int16Array, channels: number): void {
    let mono: Int16Array;
    if (channels === 2) {
      mono = new Int16Array(samples.length >> 1);
      for (let i = 0; i < mono.length; i++) mono[i] = (samples[2 * i]! + samples[2 * i + 1]!) >> 1;
    } else {
      mono = Int16Array.from(samples);
    }
    this.#echo.push(mono);
    this.#echoSamples += mono.length;
    while (this.#echoSamples > MAX_ECHO_SAMPLES && this.#echo.length > 0) this.#echoSamples -= this.#echo.shift()!.length;
  }

  /**
   * What the speaker sends into the room during this frame: silence until the playback buffer holds
   * PLAYBACK_PREFILL_SAMPLES, then a steady stream (a real card's buffer absorbs the jitter of writes);
   * an underrun plays what is left, then silence until the buffer is full again.
   */
  #takeSpeaker(n: number): Int16Array {
    const out = new Int16Array(n);
    if (!this.#playing && this.#echoSamples < PLAYBACK_PREFILL_SAMPLES) return out;
    this.#playing = true;
    if (this.#echoSamples < n) this.#playing = false;
    let i = 0;
    while (i < n && this.#echo.length > 0) {
      const head = this.#echo[0]!;
      const k = Math.min(head.length, n - i);
      out.set(head.subarray(0, k), i);
      i += k;
      this.#echoSamples -= k;
      if (k === head.length) this.#echo.shift();
      else this.#echo[0] = head.subarray(k);
    }
    return out;
  }

  #mix(frame: Int16Array): Int16Array {
    const n = frame.length;
    const echo = this.#path.process(this.#takeSpeaker(n));
    const noise = this.#noise?.next(n);
    const speech = this.#speech;
    for (let i = 0; i < n; i++) {
      let s = frame[i]! + echo[i]! * 32768;
      if (noise) s += noise[i]! * 32768;
      if (speech) {
        if (this.#speechPos < speech.length) s += speech[this.#speechPos]! * this.#speechGain;
        this.#speechPos = (this.#speechPos + 1) % (speech.length + RESIDENT_PAUSE_SAMPLES);
      }
      frame[i] = Math.max(-32768, Math.min(32767, Math.round(s)));
    }
    return frame;
  }
}
