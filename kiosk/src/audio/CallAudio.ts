import type { Logger } from 'pino';
import { TypedEmitter } from '@helppoint/shared';
import { MIC_FRAME_SAMPLES, MIC_SAMPLE_RATE, type Microphone } from '../hw/Microphone.ts';
import type { Speaker, SpeakerLevel } from '../hw/Speaker.ts';
import { LevelMeter, type AudioLevel } from '../hw/LevelMeter.ts';
import { DBFS_FLOOR, meanSquareToDbfs, sumOfSquares } from '../hw/audioLevel.ts';
import { Limiter, type LimiterOptions } from './Limiter.ts';
import type { VoiceProcessor, VoiceProcessorFactory, VoiceProcessorOptions } from './VoiceProcessor.ts';

/** What the officer's console shows about the terminal's microphone. */
export interface VoiceActivity {
  /** RMS of the raw microphone over the last report interval, dBFS. */
  inputDbfs: number;
  /** The resident is speaking (voice detected after echo removal, held briefly). */
  speaking: boolean;
}

export interface CallAudioOptions {
  microphone: Microphone;
  speaker: Speaker;
  /** null: no processing engine could be loaded; the call runs on raw audio (logged). */
  processor: VoiceProcessorFactory | null;
  processorOptions?: VoiceProcessorOptions;
  limiter?: LimiterOptions;
  /** How often `activity` is emitted while the microphone runs, ms. */
  activityIntervalMs?: number;
  logger: Logger;
}

/**
 * Reference frames waiting for their microphone frame. A stalled event loop holds microphone frames
 * back for a while (they then arrive in a burst) while the speaker keeps playing; dropping reference
 * then would shift it against the echo for good. Beyond 1 s (what a speaker buffer holds at most)
 * the speaker really runs ahead: the oldest is dropped.
 */
const MAX_REFERENCE_FRAMES = 100;
const SILENCE = new Int16Array(MIC_FRAME_SAMPLES);

/** Voice must be seen in this many of the last ACTIVITY_WINDOW frames to count as speaking. */
const SPEAKING_MIN_FRAMES = 8;
const ACTIVITY_WINDOW = 40;

/**
 * The narrow seam where a call's audio is cleaned: a Microphone and a Speaker
 * that wrap the raw devices. The speaker side limits the officer's voice and
 * hands exactly the PCM it gives the device to the echo canceller as the
 * reference; the microphone side runs every 10 ms frame through the engine
 * (echo cancellation → noise suppression → gain control) before the call's
 * RTCAudioSource sees it. One engine per microphone start (a call), so no echo
 * model leaks from one call into the next. The self-test keeps using the raw
 * devices (main.ts gives it those), so it measures the hardware, not the canceller.
 */
export class CallAudio extends TypedEmitter<{ activity: [VoiceActivity] }> {
  readonly microphone: Microphone;
  readonly speaker: Speaker & { readonly level: SpeakerLevel };
  readonly #raw: { microphone: Microphone; speaker: Speaker };
  readonly #factory: VoiceProcessorFactory | null;
  readonly #procOpts: VoiceProcessorOptions;
  readonly #limiter: Limiter;
  readonly #log: Logger;
  readonly #intervalFrames: number;
  readonly #sentMeter = new LevelMeter();
  #engine: VoiceProcessor | null = null;
  #ref = new Int16Array(MIC_FRAME_SAMPLES);
  #refFill = 0;
  #refQueue: Int16Array[] = [];
  #refDropped = 0;
  #voiceHistory = new Uint8Array(ACTIVITY_WINDOW);
  #voicePos = 0;
  #voiceCount = 0;
  #inputSumSq = 0;
  #inputSamples = 0;
  #framesSinceReport = 0;
  #engineFailed = false;
  #unreferenced = false;
  #last: VoiceActivity = { inputDbfs: DBFS_FLOOR, speaking: false };

  constructor(opts: CallAudioOptions) {
    super({ logger: opts.logger });
    this.#raw = { microphone: opts.microphone, speaker: opts.speaker };
    this.#factory = opts.processor;
    this.#procOpts = opts.processorOptions ?? {};
    this.#limiter = new Limiter(opts.limiter);
    this.#log = opts.logger.child({ component: 'call-audio' });
    this.#intervalFrames = Math.max(1, Math.round((opts.activityIntervalMs ?? 250) / 10));
    if (!this.#factory) this.#log.warn('no audio processing engine: calls carry the raw microphone (echo and street noise reach the officer)');
    const raw = this.#raw;
    const sent = this.#sentMeter;
    const write = (samples: Int16Array, sampleRate: number, channels: number) => {
      const limited = this.#limiter.process(samples, channels);
      raw.speaker.write(limited, sampleRate, channels);
      this.#reference(limited, sampleRate, channels);
    };
    this.speaker = {
      get level() {
        return raw.speaker.level;
      },
      write,
      close: () => raw.speaker.close(),
    };
    this.microphone = {
      sampleRate: MIC_SAMPLE_RATE,
      channels: 1,
      get framesDelivered() {
        return raw.microphone.framesDelivered;
      },
      get level(): AudioLevel {
        return sent.level;
      },
      start: (onPcm) => this.#start(onPcm),
      stop: () => this.#stop(),
    };
  }

  /** The latest activity report (also emitted as `activity`). */
  get activity(): VoiceActivity {
    return this.#last;
  }

  /** The engine in use for the running microphone, or null. */
  get engine(): string | null {
    return this.#engine?.name ?? null;
  }

  async #start(onPcm: (samples: Int16Array) => void): Promise<void> {
    this.#openEngine();
    try {
      await this.#raw.microphone.start((frame) => onPcm(this.#capture(frame)));
    } catch (err) {
      this.#closeEngine();
      throw err;
    }
  }

  async #stop(): Promise<void> {
    await this.#raw.microphone.stop();
    this.#closeEngine();
  }

  #openEngine(): void {
    this.#closeEngine();
    this.#refFill = 0;
    this.#refQueue = [];
    this.#refDropped = 0;
    this.#voiceHistory.fill(0);
    this.#voiceCount = 0;
    this.#inputSumSq = 0;
    this.#inputSamples = 0;
    this.#framesSinceReport = 0;
    this.#engineFailed = false;
    if (!this.#factory) return;
    try {
      this.#engine = this.#factory(this.#procOpts);
      this.#log.info({ engine: this.#engine.name }, 'echo canceller, noise suppression and gain control on the microphone');
    } catch (err) {
      this.#log.error({ err }, 'audio processing engine would not start: this call carries the raw microphone');
    }
  }

  #closeEngine(): void {
    const engine = this.#engine;
    if (!engine) return;
    this.#engine = null;
    this.#log.info({ engine: engine.name, ...engine.metrics(), referenceFramesDropped: this.#refDropped, speakerMinGain: Number(this.#limiter.minGain.toFixed(3)) }, 'audio processing stopped');
    engine.close();
  }

  /**
   * Exactly what the device was given, down-mixed to mono and cut into 10 ms frames for the canceller.
   * The frames are queued and handed over one per microphone frame: speaker and microphone run on one
   * sound card clock, so that pace tracks what the device is playing, while writes arrive in bursts
   * (the network, the event loop) that would otherwise look to the canceller like a jumping echo delay.
   */
  #reference(samples: Int16Array, sampleRate: number, channels: number): void {
    const engine = this.#engine;
    if (!engine) return;
    if (sampleRate !== MIC_SAMPLE_RATE || (channels !== 1 && channels !== 2)) {
      if (!this.#unreferenced) this.#log.warn({ sampleRate, channels }, 'speaker audio not at 48 kHz mono/stereo: not given to the echo canceller');
      this.#unreferenced = true;
      return;
    }
    const frames = Math.floor(samples.length / channels);
    for (let f = 0; f < frames; f++) {
      this.#ref[this.#refFill++] = channels === 1 ? samples[f]! : (samples[2 * f]! + samples[2 * f + 1]!) >> 1;
      if (this.#refFill === MIC_FRAME_SAMPLES) {
        this.#refFill = 0;
        this.#refQueue.push(this.#ref);
        this.#ref = new Int16Array(MIC_FRAME_SAMPLES);
        if (this.#refQueue.length > MAX_REFERENCE_FRAMES) {
          this.#refQueue.shift();
          this.#refDropped++;
        }
      }
    }
  }

  #capture(frame: Int16Array): Int16Array {
    this.#inputSumSq += sumOfSquares(frame);
    this.#inputSamples += frame.length;
    const engine = this.#engine;
    let voice = false;
    if (engine && frame.length === MIC_FRAME_SAMPLES) {
      // Nothing queued: the speaker is playing silence, and the canceller's far end must move on too.
      const ref = this.#refQueue.shift() ?? SILENCE;
      this.#guard(() => {
        engine.render(ref);
        voice = engine.capture(frame).voice;
      });
    }
    this.#sentMeter.record(frame);
    this.#voiceCount += (voice ? 1 : 0) - this.#voiceHistory[this.#voicePos]!;
    this.#voiceHistory[this.#voicePos] = voice ? 1 : 0;
    this.#voicePos = (this.#voicePos + 1) % ACTIVITY_WINDOW;
    if (++this.#framesSinceReport >= this.#intervalFrames) this.#report();
    return frame;
  }

  #report(): void {
    this.#last = {
      inputDbfs: Math.round(meanSquareToDbfs(this.#inputSamples ? this.#inputSumSq / this.#inputSamples : 0) * 10) / 10,
      speaking: this.#engine !== null && this.#voiceCount >= SPEAKING_MIN_FRAMES,
    };
    this.#inputSumSq = 0;
    this.#inputSamples = 0;
    this.#framesSinceReport = 0;
    this.emit('activity', this.#last);
  }

  /** An engine error is logged once; audio keeps flowing (late or raw audio beats silence in an emergency). */
  #guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (!this.#engineFailed) this.#log.error({ err }, 'audio processing failed on a frame; passing it through');
      this.#engineFailed = true;
    }
  }
}
